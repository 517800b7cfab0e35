import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { MicroBatcher } from '../../../common/batching/micro-batcher';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { queryBound, StatementRunner } from '../../../common/database/bound-query';
import { pgArray } from '../../../common/database/pg-array';
import { eventClassOf, type EventEnvelope } from '../../../common/events/domain-event';
import { deliveryIdFor } from '../domain/webhook-delivery.entity';
import { webhookBody } from '../domain/webhook-signature';
import { DeliveryJob, enqueueDeliveries, enqueueFirstAttempts, planFirstAttemptJobs, WEBHOOK_DELIVERIES_QUEUE } from './delivery-queue';

/** Deliveries written, per event, and the step that queues their first attempts. */
interface WrittenDeliveries {
  counts: number[];
  enqueue: () => Promise<void>;
}

const NOTHING_TO_QUEUE = async (): Promise<void> => undefined;

export interface CommittedEvent {
  envelope: EventEnvelope;
  payload: Record<string, unknown>;
}

/** How an application event (POST /api/events) sits in the outbox: its data under this key. */
export interface ApplicationEventPayload {
  data: Record<string, unknown>;
}

/** Concurrent events gathered into one fan-out; the domain-events consumer runs 20 at once per worker. */
const FAN_OUT_BATCH = 500;
const FAN_OUT_WAIT_MS = 5;

/**
 * UC-WH-02 steps 2–3: a committed event becomes one delivery per active webhook of its tenant that subscribes
 * to its type, written to PostgreSQL (the source of truth) and then queued in Bull. Events arriving together
 * share one look-up, one multi-row insert and one queue round trip, and their first attempts ride in Bull jobs
 * of up to WEBHOOK_DELIVERIES_PER_JOB deliveries. Delivery ids follow from (event, webhook), so a fan-out
 * repeated after a crash or a failed reaction inserts nothing twice, and it queues only the deliveries it
 * inserted itself. Events come here two ways: from the domain-events Bull job of an event with other reactions
 * too (`add`), or from the outbox relay itself, in its transaction (`fanOutWithin`, OUTBOX_REACT_IN_RELAY).
 */
@Injectable()
export class DeliveryFanOut {
  private readonly batcher: MicroBatcher<CommittedEvent, number>;

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.batcher = new MicroBatcher((events) => this.fanOut(events), FAN_OUT_BATCH, FAN_OUT_WAIT_MS);
  }

  /** Resolves with the number of deliveries once they are committed and queued. */
  add(event: CommittedEvent): Promise<number> {
    return this.batcher.add(event);
  }

  /**
   * The relay's way in: the deliveries of `events` are written through `em`, the relay's transaction, so they commit
   * together with the events' processed mark. The returned step queues their first attempts, once that commit is
   * done (queued before it, a worker could take a job whose deliveries it cannot see yet, and skip them); should it
   * fail, or the process stop before it, the deliveries wait Pending in PostgreSQL and the sweep queues them.
   */
  async fanOutWithin(em: EntityManager, events: readonly CommittedEvent[]): Promise<() => Promise<void>> {
    return (await this.write(em, events)).enqueue;
  }

  private async fanOut(events: CommittedEvent[]): Promise<number[]> {
    const { counts, enqueue } = await this.write(this.em.getConnection(), events);
    await enqueue();
    return counts;
  }

  private async write(runner: StatementRunner, events: readonly CommittedEvent[]): Promise<WrittenDeliveries> {
    const none = { counts: events.map(() => 0), enqueue: NOTHING_TO_QUEUE };
    const tenants = [...new Set(events.map((e) => e.envelope.tenantId).filter((t): t is string => t !== null))];
    const types = [...new Set(events.map((e) => e.envelope.eventType))];
    if (!tenants.length) return none;
    const webhooks = await queryBound<{ id: string; tenant_id: string; event_types: string[] }>(
      runner,
      `SELECT id, tenant_id, event_types FROM webhook
        WHERE is_active AND tenant_id = ANY(?::uuid[]) AND event_types \\?| ?::text[]`,
      [pgArray(tenants), pgArray(types)],
    );
    if (!webhooks.length) return none;

    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.config.webhooks.deliveryExpirySeconds * 1000);
    const rows: Array<Record<string, unknown>> = [];
    const counts = events.map(({ envelope, payload }) => {
      const subscribers = webhooks.filter((w) => w.tenant_id === envelope.tenantId && w.event_types.includes(envelope.eventType));
      if (!subscribers.length) return 0;
      // Domain events are their own data; application events carry the publisher's data.
      const data = eventClassOf(envelope.eventType) ? payload : (payload as unknown as ApplicationEventPayload).data;
      const body = webhookBody(envelope.eventType, envelope.occurredAt, data);
      for (const webhook of subscribers) {
        rows.push({
          id: deliveryIdFor(envelope.eventId, webhook.id),
          tenant_id: envelope.tenantId,
          webhook_id: webhook.id,
          event_id: envelope.eventId,
          event_type: envelope.eventType,
          payload: body,
        });
      }
      return subscribers.length;
    });
    if (!rows.length) return { counts, enqueue: NOTHING_TO_QUEUE };

    // Each row names the job that carries its first attempt when that job carries several (for the sweep).
    const jobs = planFirstAttemptJobs(
      rows.map((row) => ({ id: row.id as string, webhookId: row.webhook_id as string })),
      this.config.webhooks.deliveriesPerJob,
    );
    const batchJobOf = new Map(jobs.flatMap((job) => (job.deliveries.length > 1 ? job.deliveries.map((d) => [d.id, job.jobId] as const) : [])));
    for (const row of rows) row.batch_job_id = batchJobOf.get(row.id as string) ?? null;
    // The webhooks are locked against deletion (FOR KEY SHARE) by the statement that inserts their deliveries: one
    // deleted since the look-up above is left out (its deliveries with it), where its foreign key would have failed
    // the whole batch, every tenant's events in it.
    const inserted = await queryBound<{ id: string }>(
      runner,
      `WITH r AS (
         SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, tenant_id uuid, webhook_id uuid, event_id uuid, event_type text, payload text, batch_job_id text)
       ), live AS (
         SELECT w.id FROM webhook w WHERE w.id IN (SELECT webhook_id FROM r) FOR KEY SHARE
       )
       INSERT INTO webhook_delivery (id, tenant_id, webhook_id, event_id, event_type, payload, batch_job_id, status, scheduled_at, next_retry_at, expires_at)
       SELECT r.id, r.tenant_id, r.webhook_id, r.event_id, r.event_type, r.payload, r.batch_job_id, 'Pending', ?::timestamptz, ?::timestamptz, ?::timestamptz
         FROM r JOIN live ON live.id = r.webhook_id
       ON CONFLICT (webhook_id, event_id) DO NOTHING
       RETURNING id`,
      [JSON.stringify(rows), now.toISOString(), now.toISOString(), expiresAt.toISOString()],
    );
    if (inserted.length === rows.length) return { counts, enqueue: () => enqueueFirstAttempts(this.queue, jobs) };
    // Some of these events were fanned out before (a reaction retried, a crash), maybe grouped differently, or a
    // webhook was deleted meanwhile: a delivery that already existed keeps the job that carried it then (or, if
    // that job never reached Redis, the sweep queues it), so that no attempt waits in two live jobs. The new ones get a job each; the
    // batch job their rows name was never queued, and the sweep looks for their own job ids as well.
    const insertedIds = new Set(inserted.map((row) => row.id));
    const fresh = rows.filter((row) => insertedIds.has(row.id as string)).map((row) => ({ id: row.id as string, webhookId: row.webhook_id as string, attemptCount: 0 }));
    return { counts, enqueue: () => enqueueDeliveries(this.queue, fresh) };
  }
}
