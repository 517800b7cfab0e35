import { Module } from '@nestjs/common';
import { PlatformWorkerModule } from '../../common/platform.module';
import { DeliveryFanOut } from './infrastructure/delivery-fan-out';
import { DeliveryOutcomeRecorder } from './infrastructure/delivery-outcome-recorder';
import { EnqueueDeliveriesWhenEventCommitted } from './reactions/enqueue-deliveries-when-event-committed.reaction';
import { WebhookDeliveryProcessor } from './workers/webhook-delivery.processor';
import { WebhookMaintenanceProcessor } from './workers/webhook-maintenance.processor';
import { WebhooksModule } from './webhooks.module';

@Module({
  imports: [WebhooksModule, PlatformWorkerModule],
  providers: [DeliveryFanOut, DeliveryOutcomeRecorder, EnqueueDeliveriesWhenEventCommitted, WebhookDeliveryProcessor, WebhookMaintenanceProcessor],
})
export class WebhooksWorkerModule {}
