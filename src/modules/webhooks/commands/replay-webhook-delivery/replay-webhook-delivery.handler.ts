import { Inject, Logger } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookDelivery } from '../../domain/webhook-delivery.entity';
import { WebhookError, WebhookErrorCode } from '../../domain/webhook.errors';
import { DeliveryJob, enqueueOrLeaveToSweep, WEBHOOK_DELIVERIES_QUEUE } from '../../infrastructure/delivery-queue';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { ReplayWebhookDeliveryCommand } from './replay-webhook-delivery.command';

/** Sends one delivery again, as a new round with the same `webhook-id`, so receivers can tell it is the same message. */
@CommandHandler(ReplayWebhookDeliveryCommand)
export class ReplayWebhookDeliveryHandler implements ICommandHandler<ReplayWebhookDeliveryCommand> {
  private readonly logger = new Logger(ReplayWebhookDeliveryHandler.name);

  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    private readonly em: EntityManager,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, webhookId, deliveryId }: ReplayWebhookDeliveryCommand): Promise<WebhookDelivery> {
    const webhook = await this.webhooks.getOfTenant(actor.tenantId, webhookId);
    if (!webhook.isActive) throw new WebhookError(WebhookErrorCode.Disabled, 'The webhook is disabled; enable it first');
    const delivery = await this.em.findOne(WebhookDelivery, { id: deliveryId, webhookId, tenantId: actor.tenantId });
    if (!delivery) throw new WebhookError(WebhookErrorCode.DeliveryNotFound, 'Delivery not found');
    delivery.replay(this.config.webhooks.deliveryExpirySeconds);
    await afterCommit(() => enqueueOrLeaveToSweep(this.queue, [{ id: delivery.id, webhookId: delivery.webhookId, attemptCount: delivery.attemptCount }], this.logger));
    return delivery;
  }
}
