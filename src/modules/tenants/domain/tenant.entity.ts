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

  @Property({ type: 'Date' })
  createdAt: Date;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  static create(name: string, createdBy: string | null, now = new Date()): Tenant {
    const tenant = new Tenant();
    tenant.id = randomUUID();
    tenant.name = name;
    tenant.createdAt = now;
    tenant.createdBy = createdBy;
    tenant.apply(new TenantCreatedEvent(tenant.id, tenant.id, name, createdBy));
    return tenant;
  }

  activeKeyLimit(defaultLimit: number): number {
    return this.maxActiveApiKeys ?? defaultLimit;
  }
}
