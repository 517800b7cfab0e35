import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { SYNC_LOG_LEVELS, SyncLogLevel } from './sync-types';

/**
 * A line of a job's execution log (BR-DS-04, §11.4): a record that failed (with its external id and why) or a
 * run message (started, resumed, timed out). Written in bulk by the executor; kept 180 days (§17.2).
 */
@Entity({ tableName: 'data_sync_log' })
export class DataSyncLog {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  jobId: string;

  @Enum({ items: () => [...SYNC_LOG_LEVELS], type: 'string' })
  level: SyncLogLevel;

  @Property({ type: 'text' })
  message: string;

  @Property({ type: 'string', length: 100, nullable: true })
  entity: string | null = null;

  @Property({ type: 'string', length: 300, nullable: true })
  externalId: string | null = null;

  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;

  @Property({ type: 'Date' })
  createdAt: Date;
}
