import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { LOG_LEVELS, LogLevel } from './integration-types';

export interface NewIntegrationLog {
  tenantId: string;
  integrationId: string;
  logLevel: LogLevel;
  message: string;
  details?: Record<string, unknown> | null;
  exception?: string | null;
  requestId?: string | null;
}

const MAX_MESSAGE = 2000;
const MAX_EXCEPTION = 8000;

/**
 * What happened to one integration (spec §2.6): configuration changes, tests, health results, errors.
 * Kept `INTEGRATIONS_LOG_RETENTION_DAYS` (90, §17.2). Written in the same transaction as the change it
 * describes; its text comes from our own messages and provider outcomes, never from a secret.
 */
@Entity({ tableName: 'integration_log' })
@Index({ properties: ['integrationId', 'createdAt'] })
export class IntegrationLog {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  integrationId: string;

  @Enum({ items: () => [...LOG_LEVELS], type: 'string' })
  logLevel: LogLevel;

  @Property({ type: 'text' })
  message: string;

  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;

  @Property({ type: 'text', nullable: true })
  exception: string | null = null;

  /** The request (or job) that caused it: the X-Request-Id of the call, or the worker's job id. */
  @Property({ type: 'string', length: 100, nullable: true })
  requestId: string | null = null;

  @Property({ type: 'Date' })
  createdAt: Date;

  static write(entry: NewIntegrationLog, now = new Date()): IntegrationLog {
    const log = new IntegrationLog();
    log.id = randomUUID();
    log.tenantId = entry.tenantId;
    log.integrationId = entry.integrationId;
    log.logLevel = entry.logLevel;
    log.message = entry.message.slice(0, MAX_MESSAGE);
    log.details = entry.details ?? null;
    log.exception = entry.exception ? entry.exception.slice(0, MAX_EXCEPTION) : null;
    log.requestId = entry.requestId ?? null;
    log.createdAt = now;
    return log;
  }
}
