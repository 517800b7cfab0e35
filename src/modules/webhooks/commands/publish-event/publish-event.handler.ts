import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { unstorableCharacterIn } from '../../../../common/database/postgres-json';
import { insertOutboxRows, OutboxRow } from '../../../../common/outbox/insert-outbox-rows';
import { WebhookError, WebhookErrorCode } from '../../domain/webhook.errors';
import { webhookBody } from '../../domain/webhook-signature';
import type { ApplicationEventPayload } from '../../infrastructure/delivery-fan-out';
import { ApplicationEventWriter } from '../../infrastructure/application-event-writer';
import { EventTypeCatalog } from '../../infrastructure/event-type-catalog';
import { PublishedEvent, PublishEventCommand } from './publish-event.command';

/**
 * POST /api/events: an application event of a registered type, checked against its schema and the payload
 * limit (BR-WH-08), written to the outbox: committed means it will reach every subscribed webhook. This is
 * the platform's hottest write, so the command runs without a unit of work and no ORM entities: an event
 * without an idempotency key joins concurrent ones in one multi-row statement; one with a key is written in a
 * transaction of its own together with the key, and the same key within the window answers with the first
 * publication.
 */
@CommandHandler(PublishEventCommand)
export class PublishEventHandler implements ICommandHandler<PublishEventCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly catalog: EventTypeCatalog,
    private readonly writer: ApplicationEventWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, eventType, data, idempotencyKey }: PublishEventCommand): Promise<PublishedEvent> {
    const type = await this.catalog.publishableType(actor.tenantId, eventType);
    const occurredAt = new Date();
    const body = webhookBody(eventType, occurredAt, data);
    const size = Buffer.byteLength(body);
    if (size > this.config.webhooks.maxPayloadBytes) {
      throw WebhookError.onField(WebhookErrorCode.PayloadTooLarge, 'data', [
        `the webhook body would be ${size} bytes; at most ${this.config.webhooks.maxPayloadBytes} are allowed`,
      ]);
    }
    // Checked against the schema once its size is known to be allowed: the size bounds the work the schema makes.
    this.catalog.assertMatchesSchema(type, data);
    // Refused rather than altered: the publisher owns its data and should learn that it cannot be kept as sent.
    // Unchecked, it would fail the multi-row insert it joins, with other publishers' events.
    const unstorable = unstorableCharacterIn(body);
    if (unstorable) {
      throw WebhookError.onField(WebhookErrorCode.UnstorableData, 'data', [`holds ${unstorable}, which cannot be stored; remove it or encode it`]);
    }
    const payload: ApplicationEventPayload = { data };
    const row: OutboxRow = { id: randomUUID(), tenant_id: actor.tenantId, event_type: eventType, aggregate_id: null, payload: { ...payload }, occurred_at: occurredAt.toISOString() };
    if (idempotencyKey === undefined) {
      await this.writer.write(row);
    } else {
      const first = await this.em.transactional(async (em) => {
        const earlier = await this.claimIdempotencyKey(em, actor.tenantId, idempotencyKey, row.id, eventType, occurredAt);
        if (!earlier) await insertOutboxRows(em, [row]);
        return earlier;
      });
      if (first) return first;
    }
    return { id: row.id, eventType, occurredAt, duplicate: false };
  }

  /**
   * Takes the key for this event, or returns the event that holds it. A key older than the window is taken
   * over. Two concurrent requests with one key serialise on the primary key: the second sees the first.
   */
  private async claimIdempotencyKey(em: EntityManager, tenantId: string, key: string, id: string, eventType: string, now: Date): Promise<PublishedEvent | null> {
    const windowStart = new Date(now.getTime() - this.config.webhooks.idempotencyWindowSeconds * 1000);
    const claimed = await em.execute<Array<{ event_id: string }>>(
      `INSERT INTO event_idempotency_key (tenant_id, idempotency_key, event_id, event_type, created_at) VALUES (?, ?, ?, ?, ?::timestamptz)
       ON CONFLICT (tenant_id, idempotency_key) DO UPDATE
         SET event_id = EXCLUDED.event_id, event_type = EXCLUDED.event_type, created_at = EXCLUDED.created_at
         WHERE event_idempotency_key.created_at < ?::timestamptz
       RETURNING event_id`,
      [tenantId, key, id, eventType, now.toISOString(), windowStart.toISOString()],
    );
    if (claimed.length) return null;
    const [first] = await em.execute<Array<{ event_id: string; event_type: string; created_at: Date }>>(
      'SELECT event_id, event_type, created_at FROM event_idempotency_key WHERE tenant_id = ? AND idempotency_key = ?',
      [tenantId, key],
    );
    return { id: first.event_id, eventType: first.event_type, occurredAt: new Date(first.created_at), duplicate: true };
  }
}
