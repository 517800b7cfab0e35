import { Query } from '@nestjs/cqrs';
import type { WebhookDelivery } from '../../domain/webhook-delivery.entity';
import type { WebhookDeliveryAttempt } from '../../domain/webhook-delivery-attempt.entity';

export interface DeliveryWithAttempts {
  delivery: WebhookDelivery;
  attempts: WebhookDeliveryAttempt[];
}

export class GetWebhookDeliveryQuery extends Query<DeliveryWithAttempts> {
  constructor(
    readonly tenantId: string,
    readonly webhookId: string,
    readonly deliveryId: string,
  ) {
    super();
  }
}
