import { Inject, Logger } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { InjectQueue } from '@nestjs/bull';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { UNDELIVERED_FINAL_STATUSES } from '../../domain/delivery-policy';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookError, WebhookErrorCode } from '../../domain/webhook.errors';
import { DeliveryJob, enqueueOrLeaveToSweep, WEBHOOK_DELIVERIES_QUEUE } from '../../infrastructure/delivery-queue';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { RecoverWebhookDeliveriesCommand } from './recover-webhook-deliveries.command';

/**
 * POST /api/webhooks/{id}/recover: after an outage, every Failed or Expired delivery since a time goes out
 * again, each as a new round (fresh retries, fresh expiry), in one statement however many there are.
 */
@CommandHandler(RecoverWebhookDeliveriesCommand)
export class RecoverWebhookDeliveriesHandler implements ICommandHandler<RecoverWebhookDeliveriesCommand> {
  private readonly logger = new Logger(RecoverWebhookDeliveriesHandler.name);

  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, webhookId, since }: RecoverWebhookDeliveriesCommand): Promise<number> {
    const webhook = await this.webhooks.getOfTenant(actor.tenantId, webhookId);
    if (!webhook.isActive) throw new WebhookError(WebhookErrorCode.Disabled, 'The webhook is disabled; enable it first');
    const recovered = await this.webhooks.getEntityManager().execute<Array<{ id: string; attempt_count: number }>>(
      `UPDATE webhook_delivery SET status = 'Pending', attempts_in_round = 0, next_retry_at = now(),
              expires_at = now() + make_interval(secs => ?)
        WHERE webhook_id = ? AND tenant_id = ? AND scheduled_at >= ?::timestamptz AND status IN (?, ?)
        RETURNING id, attempt_count`,
      [this.config.webhooks.deliveryExpirySeconds, webhookId, actor.tenantId, since.toISOString(), ...UNDELIVERED_FINAL_STATUSES],
    );
    await afterCommit(() => enqueueOrLeaveToSweep(this.queue, recovered.map((row) => ({ id: row.id, webhookId, attemptCount: row.attempt_count })), this.logger));
    return recovered.length;
  }
}
