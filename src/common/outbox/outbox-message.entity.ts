import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';

/** A domain event committed with the change that raised it, waiting for the relay to hand it on. */
@Entity({ tableName: 'outbox_message' })
export class OutboxMessage {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid', nullable: true })
  tenantId: string | null;

  @Property({ type: 'string', length: 100 })
  eventType: string;

  @Property({ type: 'uuid', nullable: true })
  aggregateId: string | null;

  @Property({ type: 'json' })
  payload: Record<string, unknown>;

  @Property({ type: 'Date' })
  occurredAt: Date;

  @Property({ type: 'Date', nullable: true })
  publishedAt: Date | null = null;

  @Property({ type: 'integer' })
  attempts: number & Opt = 0;

  /** The Bull job the relay last queued the event in, which the recovery looks up in Redis. */
  @Property({ type: 'text', nullable: true })
  relayJobId: string | null = null;

  /** When every reaction to the event succeeded; until then the recovery watches the event's job. */
  @Property({ type: 'Date', nullable: true })
  processedAt: Date | null = null;
}
