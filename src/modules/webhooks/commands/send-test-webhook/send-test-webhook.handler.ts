import { randomUUID } from 'node:crypto';
import { Inject, Logger } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { InjectQueue } from '@nestjs/bull';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { TEST_EVENT_TYPE } from '../../domain/event-catalog';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookDelivery } from '../../domain/webhook-delivery.entity';
import { WebhookError, WebhookErrorCode } from '../../domain/webhook.errors';
import { webhookBody } from '../../domain/webhook-signature';
import { DeliveryJob, enqueueOrLeaveToSweep, WEBHOOK_DELIVERIES_QUEUE } from '../../infrastructure/delivery-queue';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { SendTestWebhookCommand } from './send-test-webhook.command';

/** POST /api/webhooks/{id}/test: a WebhookTest event delivered like any other (signed, recorded, retried). */
@CommandHandler(SendTestWebhookCommand)
export class SendTestWebhookHandler implements ICommandHandler<SendTestWebhookCommand> {
  private readonly logger = new Logger(SendTestWebhookHandler.name);

  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, webhookId }: SendTestWebhookCommand): Promise<WebhookDelivery> {
    const webhook = await this.webhooks.getOfTenant(actor.tenantId, webhookId);
    if (!webhook.isActive) throw new WebhookError(WebhookErrorCode.Disabled, 'The webhook is disabled; enable it first');
    const eventId = randomUUID();
    const now = new Date();
    const delivery = WebhookDelivery.schedule(
      {
        tenantId: actor.tenantId,
        webhookId,
        eventId,
        eventType: TEST_EVENT_TYPE,
        payload: webhookBody(TEST_EVENT_TYPE, now, { webhookId, message: 'A test event from Integration Hub' }),
      },
      this.config.webhooks.deliveryExpirySeconds,
      now,
    );
    this.webhooks.getEntityManager().persist(delivery);
    // Committed first: a job that ran before the commit would find no delivery. A lost enqueue is the sweep's.
    await afterCommit(() => enqueueOrLeaveToSweep(this.queue, [{ id: delivery.id, webhookId: delivery.webhookId, attemptCount: 0 }], this.logger));
    return delivery;
  }
}
