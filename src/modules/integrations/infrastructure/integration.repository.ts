import { EntityRepository, LockMode, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Integration } from '../domain/integration.entity';
import { IntegrationError, IntegrationErrorCode } from '../domain/integration.errors';
import type { IntegrationType } from '../domain/integration-types';

const ONE_ACTIVE_INDEX = 'integration_one_active_per_type_uq';

export class IntegrationRepository extends EntityRepository<Integration> {
  /**
   * Another tenant's integration is reported exactly as a missing one. `lock: true` keeps the row locked until the
   * command commits, for a change that must see the one committed just before it (a check's result and the
   * update or newer test that made it stale).
   */
  async getOfTenant(tenantId: string, id: string, { lock = false }: { lock?: boolean } = {}): Promise<Integration> {
    const integration = await this.findOne({ id, tenantId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!integration) throw new IntegrationError(IntegrationErrorCode.NotFound, 'Integration not found');
    return integration;
  }

  /**
   * BR-IM-01, the friendly half: refuses early with the id of the Active one. The unique index decides races
   * (see `flushActivation`).
   */
  async assertNoOtherActive(tenantId: string, type: IntegrationType, exceptId?: string): Promise<void> {
    // A plain row, not an entity: an Integration loaded with only its id carries the defaults of its other
    // properties (Draft, not exclusive), which the flush of the refused activation wrote back over the Active one.
    const active = await this.createQueryBuilder()
      .select('id')
      .where({ tenantId, integrationType: type, status: 'Active', ...(exceptId ? { id: { $ne: exceptId } } : {}) })
      .limit(1)
      .execute('get');
    if (active) throw oneActiveConflict(type, active.id);
  }

  /** Flushes an activation, turning a lost race on the one-active index into the same 409. */
  async flushActivation(type: IntegrationType): Promise<void> {
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && error.message.includes(ONE_ACTIVE_INDEX)) throw oneActiveConflict(type);
      throw error;
    }
  }
}

function oneActiveConflict(type: IntegrationType, activeId?: string): IntegrationError {
  return new IntegrationError(
    IntegrationErrorCode.OneActivePerType,
    `The tenant already has an Active ${type} integration and allows only one (BR-IM-01); disconnect it first`,
    activeId ? { activeIntegrationId: activeId } : {},
  );
}
