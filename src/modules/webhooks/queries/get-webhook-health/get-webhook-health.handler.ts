import { InjectRepository } from '@mikro-orm/nestjs';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { GetWebhookHealthQuery, WebhookHealth } from './get-webhook-health.query';

/**
 * §12: the failure rate of one webhook over the last hour, counted from its attempts: the caller's tenant's
 * attempts of that webhook, read from the index on (tenant_id, webhook_id, attempted_at) alone.
 */
@QueryHandler(GetWebhookHealthQuery)
export class GetWebhookHealthHandler implements IQueryHandler<GetWebhookHealthQuery> {
  constructor(@InjectRepository(Webhook) private readonly webhooks: WebhookRepository) {}

  async execute({ tenantId, webhookId }: GetWebhookHealthQuery): Promise<WebhookHealth> {
    const webhook = await this.webhooks.getOfTenant(tenantId, webhookId);
    const [counts] = await this.webhooks.getEntityManager().execute<Array<{ attempts: string; failed: string }>>(
      `SELECT count(*) AS attempts, count(*) FILTER (WHERE NOT succeeded) AS failed
         FROM webhook_delivery_attempt WHERE tenant_id = ? AND webhook_id = ? AND attempted_at > now() - interval '1 hour'`,
      [tenantId, webhookId],
    );
    const attempts = Number(counts.attempts);
    const failed = Number(counts.failed);
    return {
      attemptsLastHour: attempts,
      failedLastHour: failed,
      failureRatePercent: attempts ? Math.round((failed / attempts) * 1000) / 10 : 0,
      alerting: webhook.failureAlertActive,
      failingSince: webhook.failingSince,
      isActive: webhook.isActive,
      disabledReason: webhook.disabledReason,
    };
  }
}
