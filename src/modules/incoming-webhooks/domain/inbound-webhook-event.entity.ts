import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';

export const INBOUND_EVENT_STATUSES = ['Received', 'Processed', 'Failed'] as const;
export type InboundEventStatus = (typeof INBOUND_EVENT_STATUSES)[number];

/** Column lengths of what a provider (or whoever resends its callbacks) chooses; the receiver bounds both. */
export const DEDUPE_KEY_LENGTH = 300;
export const EVENT_TYPE_LENGTH = 200;

/**
 * A provider callback as it arrived: verified, stored before it is acknowledged, processed by the worker.
 * Written by a single statement on the hot path (infrastructure/inbound-event.writer.ts), read here.
 */
@Entity({ tableName: 'inbound_webhook_event' })
export class InboundWebhookEvent {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  integrationId: string;

  @Property({ type: 'string', length: 100 })
  provider: string;

  @Property({ type: 'string', length: 30 })
  scheme: string;

  /** The provider's delivery or event id (or a hash of the body when it sends none): what duplicates share. */
  @Property({ type: 'string', length: DEDUPE_KEY_LENGTH })
  dedupeKey: string;

  @Property({ type: 'string', length: EVENT_TYPE_LENGTH, nullable: true })
  eventType: string | null;

  /** The headers that matter (signature headers excluded): content type, delivery id, event name. */
  @Property({ type: 'json' })
  headers: Record<string, string>;

  @Property({ type: 'text' })
  body: string;

  /**
   * The raw body's SHA-256 (hex) for GitHub and generic HMAC, which sign the body and nothing else: a second thing
   * duplicates share, because their ids come from unsigned headers. Null for the schemes that sign their id or a
   * timestamp (see receive-webhook.handler.ts).
   */
  @Property({ type: 'string', length: 64, nullable: true })
  bodySha256: string | null;

  @Property({ type: 'string', length: 64 })
  sourceIp: string;

  @Property({ type: 'Date' })
  receivedAt: Date;

  @Property({ type: 'Date', nullable: true })
  signedAt: Date | null;

  @Enum({ items: () => [...INBOUND_EVENT_STATUSES], type: 'string' })
  status: InboundEventStatus;

  @Property({ type: 'Date', nullable: true })
  processedAt: Date | null;

  @Property({ type: 'integer' })
  attempts: number;

  @Property({ type: 'text', nullable: true })
  lastError: string | null;
}
