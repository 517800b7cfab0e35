import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { AggregateRoot } from '@nestjs/cqrs';
import { DomainEvent, EventType } from '../../../common/events/domain-event';

/** The tenant every install has, to which BOOTSTRAP_API_KEY belongs. */
export const DEFAULT_TENANT_ID = '00000000-0000-4000-8000-000000000001';

@EventType('TenantCreated', { resource: 'tenant' })
export class TenantCreatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly name: string,
    readonly createdBy: string | null,
  ) {}
}

/** A tenant's own limits; null follows the configured default (API_KEYS_MAX_ACTIVE_PER_TENANT, WEBHOOKS_MAX_PER_TENANT). */
export interface TenantLimits {
  maxActiveApiKeys: number | null;
  maxWebhooks: number | null;
}

/** What PATCH /api/tenants/{id} may change; an absent field stays as it is. */
export type TenantChanges = Partial<TenantLimits> & { name?: string };

@EventType('TenantUpdated', { resource: 'tenant' })
export class TenantUpdatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly changes: TenantChanges,
    readonly modifiedBy: string | null,
  ) {}
}

/** A customer of the platform: every other row belongs to one, and no tenant sees another's. */
@Entity({ tableName: 'tenant' })
export class Tenant extends AggregateRoot<DomainEvent> {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'string', length: 200 })
  name: string;

  /** Overrides API_KEYS_MAX_ACTIVE_PER_TENANT for this tenant (BR-AK-03's 100 by default). */
  @Property({ type: 'integer', nullable: true })
  maxActiveApiKeys: number | null = null;

  /** Overrides WEBHOOKS_MAX_PER_TENANT for this tenant (BR-WH-07's 50 by default). */
  @Property({ type: 'integer', nullable: true })
  maxWebhooks: number | null = null;

  @Property({ type: 'Date' })
  createdAt: Date;

  /** The operator's key that created it: the platform's own record, which the tenant never reads. */
  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  /**
   * The event is the new tenant's (its audit trail, its webhooks), so it names no creator: `createdBy` is a key of
   * the operator's tenant, which this tenant must not learn of. It is null, as when the system acts; the
   * operator's own trail records who did it.
   */
  static create(name: string, limits: TenantLimits, createdBy: string | null, now = new Date()): Tenant {
    const tenant = new Tenant();
    tenant.id = randomUUID();
    tenant.name = name;
    tenant.maxActiveApiKeys = limits.maxActiveApiKeys;
    tenant.maxWebhooks = limits.maxWebhooks;
    tenant.createdAt = now;
    tenant.createdBy = createdBy;
    tenant.apply(new TenantCreatedEvent(tenant.id, tenant.id, name, null));
    return tenant;
  }

  /**
   * A limit below what the tenant already holds is allowed: it only refuses new keys or webhooks until the
   * count drops under it, so an operator can shrink a tenant without deleting anything on its behalf.
   * `by` goes to this tenant's trail and webhooks: null when the key acting belongs to another tenant.
   */
  update(changes: TenantChanges, by: string | null): void {
    const applied: TenantChanges = {};
    if (changes.name !== undefined) this.name = applied.name = changes.name;
    if (changes.maxActiveApiKeys !== undefined) this.maxActiveApiKeys = applied.maxActiveApiKeys = changes.maxActiveApiKeys;
    if (changes.maxWebhooks !== undefined) this.maxWebhooks = applied.maxWebhooks = changes.maxWebhooks;
    this.apply(new TenantUpdatedEvent(this.id, this.id, applied, by));
  }

  activeKeyLimit(defaultLimit: number): number {
    return this.maxActiveApiKeys ?? defaultLimit;
  }

  webhookLimit(defaultLimit: number): number {
    return this.maxWebhooks ?? defaultLimit;
  }
}
