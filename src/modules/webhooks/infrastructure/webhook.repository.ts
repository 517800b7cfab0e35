import { EntityRepository, LockMode } from '@mikro-orm/postgresql';
import { Tenant } from '../../tenants/domain/tenant.entity';
import type { Webhook } from '../domain/webhook.entity';
import { WebhookError, WebhookErrorCode } from '../domain/webhook.errors';

export class WebhookRepository extends EntityRepository<Webhook> {
  /** Another tenant's webhook is reported exactly as a missing one. */
  async getOfTenant(tenantId: string, id: string, options: { withSecrets?: boolean; lock?: boolean } = {}): Promise<Webhook> {
    const webhook = await this.findOne(
      { id, tenantId },
      { ...(options.withSecrets ? { populate: ['secret', 'previousSecret'] as never } : {}), ...(options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
    );
    if (!webhook) throw new WebhookError(WebhookErrorCode.NotFound, 'Webhook not found');
    return webhook;
  }

  /**
   * BR-WH-07. Locks the tenant row first (in the caller's transaction), so two concurrent creations cannot both
   * see room for one more. `lock: false` is the cheap early answer, outside any transaction, before work that
   * is not worth doing for a tenant at its limit; only the locked check may guard the insert.
   * The tenant's own `maxWebhooks` overrides the configured default.
   */
  async assertRoomForWebhook(tenantId: string, defaultLimit: number, { lock = true }: { lock?: boolean } = {}): Promise<void> {
    const tenant = await this.em.findOneOrFail(Tenant, tenantId, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    const limit = tenant.webhookLimit(defaultLimit);
    const count = await this.count({ tenantId });
    if (count >= limit) {
      throw new WebhookError(WebhookErrorCode.LimitReached, `A tenant may have at most ${limit} webhooks; delete one first`, { limit });
    }
  }
}
