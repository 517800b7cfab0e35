import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Who did what to which resource, when and from where (spec §8.3, §17.1). Kept a year by default. */
@Entity({ tableName: 'audit_entry' })
export class AuditEntry {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid', nullable: true })
  tenantId: string | null;

  /** The API key that acted; null for the system (expiry job, bootstrap) and for the platform operator acting on another tenant. */
  @Property({ type: 'uuid', nullable: true })
  actorApiKeyId: string | null;

  @Property({ type: 'string', length: 100 })
  action: string;

  @Property({ type: 'string', length: 50 })
  resourceType: string;

  @Property({ type: 'uuid', nullable: true })
  resourceId: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  ip: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  requestId: string | null;

  @Property({ type: 'json' })
  details: Record<string, unknown>;

  @Property({ type: 'Date' })
  createdAt: Date;
}
