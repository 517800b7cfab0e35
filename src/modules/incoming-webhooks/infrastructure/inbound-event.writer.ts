import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { MicroBatcher } from '../../../common/batching/micro-batcher';
import { outboxRecordOf } from '../../../common/outbox/stage-domain-events';
import { WebhookReceivedEvent } from '../domain/events/webhook-received.event';
import { postgresJson } from '../../../common/database/postgres-json';
import { statementFailure } from '../../../common/database/statement-failure';
import { queryBound } from '../../../common/database/bound-query';

export interface NewInboundEvent {
  tenantId: string;
  integrationId: string;
  provider: string;
  scheme: string;
  dedupeKey: string;
  eventType: string | null;
  headers: Record<string, string>;
  body: string;
  /** Set for GitHub and generic HMAC, whose signatures cover the body only (see InboundWebhookEvent.bodySha256). */
  bodySha256: string | null;
  sourceIp: string;
  signedAt: Date | null;
  actorRequestId: string | null;
}

interface Row {
  id: string;
  tenant_id: string;
  integration_id: string;
  provider: string;
  scheme: string;
  dedupe_key: string;
  event_type: string | null;
  headers: Record<string, string>;
  body: string;
  body_sha256: string | null;
  source_ip: string;
  received_at: string;
  signed_at: string | null;
  outbox_id: string;
  audit_id: string;
  event_name: string;
  resource: string;
  payload: Record<string, unknown>;
  request_id: string | null;
}

/** Callbacks written per statement at most, and the longest a callback waits for others to join it. */
const BATCH_ITEMS = 200;
const BATCH_WAIT_MS = 2;

/**
 * Stores verified callbacks, each with its WebhookReceived event (outbox) and audit entry, many per statement:
 * the receiver must acknowledge thousands of callbacks a second and each needs a durable write before its 2xx,
 * and one multi-row statement costs about what one single-row statement does. Each caller still learns
 * whether *its* callback was stored, or was a duplicate (same integration and dedupe key, or same integration and
 * body hash where one is set; earlier or in the same batch), before it answers. The statement is atomic: a callback and its event are stored together or not.
 */
@Injectable()
export class InboundEventWriter {
  private readonly batcher = new MicroBatcher<Row, boolean>((rows) => this.insert(rows), BATCH_ITEMS, BATCH_WAIT_MS);

  constructor(private readonly em: EntityManager) {}

  async store(event: NewInboundEvent, receivedAt = new Date()): Promise<{ id: string; duplicate: boolean }> {
    const id = randomUUID();
    const domainEvent = new WebhookReceivedEvent(event.tenantId, id, event.integrationId, event.provider, event.eventType, event.sourceIp, receivedAt.toISOString());
    const { name, resource, payload } = outboxRecordOf(domainEvent);
    const stored = await this.batcher.add({
      id,
      tenant_id: event.tenantId,
      integration_id: event.integrationId,
      provider: event.provider,
      scheme: event.scheme,
      dedupe_key: event.dedupeKey,
      event_type: event.eventType,
      headers: event.headers,
      body: event.body,
      body_sha256: event.bodySha256,
      source_ip: event.sourceIp,
      received_at: receivedAt.toISOString(),
      signed_at: event.signedAt?.toISOString() ?? null,
      outbox_id: randomUUID(),
      audit_id: randomUUID(),
      event_name: name,
      resource,
      payload,
      request_id: event.actorRequestId,
    });
    return { id, duplicate: !stored };
  }

  /** One statement for the batch; answers, per row, whether it was stored (false: a duplicate). */
  private async insert(rows: Row[]): Promise<boolean[]> {
    const stored = await queryBound<{ id: string }>(
      this.em.getConnection(),
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(
           id uuid, tenant_id uuid, integration_id uuid, provider text, scheme text, dedupe_key text, event_type text,
           headers jsonb, body text, body_sha256 text, source_ip text, received_at timestamptz, signed_at timestamptz,
           outbox_id uuid, audit_id uuid, event_name text, resource text, payload jsonb, request_id text)
       ), stored AS (
         INSERT INTO inbound_webhook_event
           (id, tenant_id, integration_id, provider, scheme, dedupe_key, event_type, headers, body, body_sha256, source_ip, received_at, signed_at, status, attempts)
         SELECT id, tenant_id, integration_id, provider, scheme, dedupe_key, event_type, headers, body, body_sha256, source_ip, received_at, signed_at, 'Received', 0
           FROM input
         -- No target: a conflict on either key (dedupe key, or body hash) is a duplicate; ids are fresh UUIDs.
         ON CONFLICT DO NOTHING
         RETURNING id
       ), relayed AS (
         INSERT INTO outbox_message (id, tenant_id, event_type, aggregate_id, payload, occurred_at)
         SELECT i.outbox_id, i.tenant_id, i.event_name, i.id, i.payload, i.received_at FROM input i JOIN stored s ON s.id = i.id
       ), audited AS (
         INSERT INTO audit_entry (id, tenant_id, actor_api_key_id, action, resource_type, resource_id, ip, request_id, details, created_at)
         SELECT i.audit_id, i.tenant_id, NULL, i.event_name, i.resource, i.id, i.source_ip, i.request_id, i.payload, i.received_at
           FROM input i JOIN stored s ON s.id = i.id
       )
       SELECT id FROM stored`,
      [postgresJson(rows)],
    ).catch((error: unknown) => {
      throw statementFailure(error, `Storing ${rows.length} incoming webhook(s)`);
    });
    const storedIds = new Set(stored.map((row) => row.id));
    return rows.map((row) => storedIds.has(row.id));
  }
}
