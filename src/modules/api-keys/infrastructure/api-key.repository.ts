import { EntityRepository, LockMode } from '@mikro-orm/postgresql';
import { Tenant } from '../../tenants/domain/tenant.entity';
import type { ApiKey } from '../domain/api-key.entity';
import { ApiKeyError, ApiKeyErrorCode } from '../domain/api-key.errors';

export class ApiKeyRepository extends EntityRepository<ApiKey> {
  /**
   * Another tenant's key is reported exactly as a missing one. `lock: true` is for a key about to change: the row
   * stays locked until the command commits, so a rotation, update or revocation running meanwhile waits and then
   * sees this one's result (a replacement made, scopes narrowed, the key revoked) instead of overwriting it.
   * Where the tenant is locked too, lock it first (`lockTenant`), in the order key generation takes them.
   */
  async getOfTenant(tenantId: string, id: string, { lock = false }: { lock?: boolean } = {}): Promise<ApiKey> {
    const key = await this.findOne({ id, tenantId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!key) throw new ApiKeyError(ApiKeyErrorCode.NotFound, 'API key not found');
    return key;
  }

  /** Serialises the changes of a tenant's count of active keys (BR-AK-03) until the command commits. */
  lockTenant(tenantId: string): Promise<Tenant> {
    return this.em.findOneOrFail(Tenant, tenantId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /**
   * BR-AK-03. Locks the tenant row first, so two concurrent creations cannot both see room for one more key.
   * Keys past their expiry but not yet revoked by the hourly job do not count.
   */
  async assertRoomForKeys(tenantId: string, adding: number, defaultLimit: number): Promise<void> {
    const tenant = await this.lockTenant(tenantId);
    const limit = tenant.activeKeyLimit(defaultLimit);
    const active = await this.count({ tenantId, isActive: true, $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date() } }] });
    if (active + adding > limit) {
      throw new ApiKeyError(ApiKeyErrorCode.LimitReached, `A tenant may hold at most ${limit} active API keys; revoke one first`, { limit });
    }
  }
}
