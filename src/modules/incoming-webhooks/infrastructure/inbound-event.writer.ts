import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { outboxRecordOf } from '../../../common/outbox/stage-domain-events';
import { WebhookReceivedEvent } from '../domain/events/webhook-received.event';

export interface NewInboundEvent {
  tenantId: string;
  integrationId: string;
  provider: string;
  scheme: string;
  dedupeKey: string;
  eventType: string | null;
  headers: Record<string, string>;
  body: string;
  sourceIp: string;
  signedAt: Date | null;
  actorRequestId: string | null;
}

/**
 * Stores a verified callback, its WebhookReceived event (outbox) and its audit entry in ONE statement: the
 * receiver must acknowledge thousands of callbacks a second and each one needs a durable write before the
 * 2xx. A duplicate (same integration and dedupe key) inserts nothing at all and is reported as such.
 * The statement is atomic on its own; it joins the caller's transaction when there is one.
 */
@Injectable()
export class InboundEventWriter {
  constructor(private readonly em: EntityManager) {}

  async store(event: NewInboundEvent, receivedAt = new Date()): Promise<{ id: string; duplicate: boolean }> {
    const id = randomUUID();
    const domainEvent = new WebhookReceivedEvent(event.tenantId, id, event.integrationId, event.provider, event.eventType, event.sourceIp, receivedAt.toISOString());
    const { name, resource, payload } = outboxRecordOf(domainEvent);
    const rows: Array<{ id: string }> = await this.em.getConnection().execute(
      `WITH stored AS (
         INSERT INTO inbound_webhook_event
           (id, tenant_id, integration_id, provider, scheme, dedupe_key, event_type, headers, body, source_ip, received_at, signed_at, status, attempts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, 'Received', 0)
         ON CONFLICT (integration_id, dedupe_key) DO NOTHING
         RETURNING id
       ), relayed AS (
         INSERT INTO outbox_message (id, tenant_id, event_type, aggregate_id, payload, occurred_at)
         SELECT ?, ?, ?, id, ?::jsonb, ? FROM stored
       )
       INSERT INTO audit_entry (id, tenant_id, actor_api_key_id, action, resource_type, resource_id, ip, request_id, details, created_at)
       SELECT ?, ?, NULL, ?, ?, id, ?, ?, ?::jsonb, ? FROM stored
       RETURNING resource_id AS id`,
      [
        id, event.tenantId, event.integrationId, event.provider, event.scheme, event.dedupeKey, event.eventType, JSON.stringify(event.headers), event.body, event.sourceIp, receivedAt, event.signedAt,
        randomUUID(), event.tenantId, name, JSON.stringify(payload), receivedAt,
        randomUUID(), event.tenantId, name, resource, event.sourceIp, event.actorRequestId, JSON.stringify(payload), receivedAt,
      ],
      'all',
      this.em.getTransactionContext(),
    );
    return { id, duplicate: rows.length === 0 };
  }
}
