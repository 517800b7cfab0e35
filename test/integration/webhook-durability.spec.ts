import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { EntityManager } from '@mikro-orm/postgresql';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { MikroOrmEntitiesStorage } from '@mikro-orm/nestjs/mikro-orm.entities.storage';
import type { Queue } from 'bull';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { IntegrationHubClient } from '../../sdk/dist';
import { createWorker } from '../../src/bootstrap';
import { loadConfig } from '../../src/common/config/app-config';
import { DomainEventDispatcher } from '../../src/common/events/domain-event-dispatcher';
import { DeliveryFanOut } from '../../src/modules/webhooks/infrastructure/delivery-fan-out';
import { DeliveryOutcome, DeliveryOutcomeRecorder } from '../../src/modules/webhooks/infrastructure/delivery-outcome-recorder';
import { deliveryJobId, WEBHOOK_DELIVERIES_QUEUE } from '../../src/modules/webhooks/infrastructure/delivery-queue';
import { WebhookDeliveryProcessor } from '../../src/modules/webhooks/workers/webhook-delivery.processor';
import { WebhookMaintenanceProcessor } from '../../src/modules/webhooks/workers/webhook-maintenance.processor';
import { lockWaiters } from '../support/lock-waits';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { answer, WebhookReceiver } from '../support/webhook-receiver';

/**
 * PostgreSQL is the source of truth for deliveries: jobs lost from Redis are queued again by the sweep, and a
 * worker closed in the middle of a run leaves nothing behind that the next worker does not deliver. The API
 * runs alone here (PROCESS_ROLE=api); workers come and go beside it.
 */
describe('webhook deliveries survive Redis losses and worker restarts', () => {
  let api: TestApp;
  let receiver: WebhookReceiver;
  let admin: IntegrationHubClient;
  const workers: INestApplicationContext[] = [];
  let entities: unknown[] = [];
  const closed = new Set<INestApplicationContext>();
  const closeWorker = async (worker: INestApplicationContext) => {
    closed.add(worker);
    await worker.close();
  };

  const startWorker = async (env: Record<string, string> = {}) => {
    // @mikro-orm/nestjs forgets the forFeature() entities once an app of the process closes (they are recorded
    // at import time): give them back before the next worker of this process starts.
    for (const entity of entities) MikroOrmEntitiesStorage.addEntity(entity as never);
    const worker = await createWorker(
      loadConfig({ ...process.env, OUTBOX_POLL_MS: '50', WEBHOOK_SWEEP_CRON: '* * * * * *', WEBHOOK_REQUEUE_AFTER_MS: '0', WEBHOOK_STATUS_FLUSH_MS: '5', ...env }, () => undefined),
    );
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    api = await startTestApp({ PROCESS_ROLE: 'api' });
    entities = [...MikroOrmEntitiesStorage.getEntities()];
    receiver = await WebhookReceiver.start();
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Durable' } });
    admin = api.client(tenant.adminKey.key);
    await admin.events.registerEventType({ requestBody: { name: 'OrderShipped' } });
  });

  afterAll(async () => {
    for (const worker of workers.filter((w) => !closed.has(w))) await worker.close();
    await api.close();
    await receiver.close();
  });

  function statuses(webhookId: string): Promise<Array<{ status: string; n: string }>> {
    return api.app.get(EntityManager).fork().getConnection().execute('SELECT status, count(*) AS n FROM webhook_delivery WHERE webhook_id = ? GROUP BY status', [webhookId]);
  }

  /** A Pending delivery row of `webhookId` in its tenant, written directly, for outcomes recorded by hand. */
  async function insertPendingDelivery(webhookId: string, eventType: string): Promise<{ deliveryId: string; tenantId: string }> {
    const db = api.app.get(EntityManager).fork().getConnection();
    const [{ tenant_id: tenantId }] = await db.execute<Array<{ tenant_id: string }>>('SELECT tenant_id FROM webhook WHERE id = ?', [webhookId]);
    const deliveryId = randomUUID();
    await db.execute(
      `INSERT INTO webhook_delivery (id, tenant_id, webhook_id, event_id, event_type, payload, status, scheduled_at, expires_at)
       VALUES (?, ?, ?, ?, ?, '{}', 'Pending', now(), now() + interval '1 day')`,
      [deliveryId, tenantId, webhookId, randomUUID(), eventType],
    );
    return { deliveryId, tenantId };
  }

  async function publishMany(count: number, prefix: string, eventType = 'OrderShipped'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await admin.events.publishEvent({ requestBody: { eventType, data: { order: `${prefix}-${i}` } } })).id);
    return ids;
  }

  it('queues again, from PostgreSQL, deliveries whose jobs Redis lost', async () => {
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/lost`, eventTypes: ['OrderShipped'] } });
    receiver.on('/lost', answer(503, { 'retry-after': '3600' }));
    const ids = await publishMany(5, 'lost');
    const worker = await startWorker();
    await eventually(async () => expect(await statuses(webhook.id)).toEqual([{ status: 'Retrying', n: '5' }]), 15_000, 100);

    // Redis loses every queued job (a flush, a failover without persistence)...
    const queue = worker.get<Queue>(getQueueToken(WEBHOOK_DELIVERIES_QUEUE));
    await queue.clean(0, 'delayed');
    expect(await queue.getDelayedCount()).toBe(0);
    // ...and the hour Retry-After asked for has passed.
    await api.app.get(EntityManager).fork().getConnection().execute("UPDATE webhook_delivery SET next_retry_at = now() - interval '1 second' WHERE webhook_id = ?", [webhook.id]);
    receiver.on('/lost', answer(200));

    await eventually(async () => expect(await statuses(webhook.id)).toEqual([{ status: 'Delivered', n: '5' }]), 15_000, 100);
    const delivered = new Set(receiver.events('/lost').filter((r) => r.headers['webhook-id']).map((r) => r.headers['webhook-id']));
    expect(delivered).toEqual(new Set(ids));
    await closeWorker(worker);
  });

  it('leaves first attempts waiting in their fan-out job alone, and queues them again once that job is lost', async () => {
    // A type of its own, so that only this test's webhook gets these events.
    await admin.events.registerEventType({ requestBody: { name: 'OrderPacked' } });
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/batched`, eventTypes: ['OrderPacked'] } });
    receiver.on('/batched', answer(200));
    // No worker takes delivery jobs while the queue is paused: the fan-out's job waits in Redis.
    const apiQueue = api.app.get<Queue>(getQueueToken(WEBHOOK_DELIVERIES_QUEUE));
    await apiQueue.pause();
    const ids = await publishMany(5, 'batched', 'OrderPacked');
    const worker = await startWorker();
    const db = api.app.get(EntityManager).fork().getConnection();
    const rowsOf = () => db.execute<Array<{ id: string; batch_job_id: string | null }>>('SELECT id, batch_job_id FROM webhook_delivery WHERE webhook_id = ?', [webhook.id]);
    await eventually(async () => expect(await rowsOf()).toHaveLength(5), 15_000, 50);

    // The five first attempts ride in one job, which every row names.
    expect(await Promise.all((await rowsOf()).map((row) => apiQueue.getJob(deliveryJobId(row.id, 0))))).toEqual(ids.map(() => null));
    const batchJobIds = new Set((await rowsOf()).map((row) => row.batch_job_id));
    expect(batchJobIds.size).toBe(1);
    const [batchJobId] = [...batchJobIds];
    expect(batchJobId).toMatch(/^batch-/);
    const batchJob = await apiQueue.getJob(batchJobId!);
    // Exactly the five deliveries' first attempts, each once: no more, no fewer.
    const batched = (batchJob?.data as { deliveries: Array<{ deliveryId: string; attemptCount: number; webhookId: string }> }).deliveries;
    const deliveryIds = (await rowsOf()).map((row) => row.id).sort();
    expect(deliveryIds).toHaveLength(5);
    expect(batched.map((d) => d.deliveryId).sort()).toEqual(deliveryIds);
    expect(batched).toEqual(deliveryIds.map(() => ({ deliveryId: expect.any(String), attemptCount: 0, webhookId: webhook.id })));

    // Overdue (WEBHOOK_REQUEUE_AFTER_MS is 0 here), but their job is alive: the sweep queues nothing.
    const sweep = worker.get(WebhookMaintenanceProcessor);
    try {
      expect(await sweep.requeueLostDeliveries()).toBe(0);
      // Redis loses the job: the sweep (this call or the scheduled one) queues each delivery again, as a job of its own.
      await batchJob!.remove();
      await sweep.requeueLostDeliveries();
      const ownJobs = await Promise.all((await rowsOf()).map((row) => apiQueue.getJob(deliveryJobId(row.id, 0))));
      expect(ownJobs.map((job) => job?.data)).toEqual((await rowsOf()).map((row) => ({ deliveryId: row.id, attemptCount: 0, webhookId: webhook.id })));
    } finally {
      await apiQueue.resume();
    }
    await eventually(async () => expect(await statuses(webhook.id)).toEqual([{ status: 'Delivered', n: '5' }]), 15_000, 100);
    const arrived = receiver.events('/batched').map((r) => r.headers['webhook-id']);
    expect(arrived.sort()).toEqual([...ids].sort());
    expect((await rowsOf()).map((row) => row.batch_job_id)).toEqual(ids.map(() => null));
    await closeWorker(worker);
  });

  it('pages past more than a page of overdue deliveries that share one timestamp to the microsecond', async () => {
    // What a recover leaves: every row it touched due at one now(), microseconds included.
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/paged`, eventTypes: ['OrderShipped'] } });
    const apiQueue = api.app.get<Queue>(getQueueToken(WEBHOOK_DELIVERIES_QUEUE));
    await apiQueue.pause();
    const db = api.app.get(EntityManager).fork().getConnection();
    const insertDue = (count: number, dueAt: string) =>
      db.execute(
        `INSERT INTO webhook_delivery (id, tenant_id, webhook_id, event_id, event_type, payload, status, scheduled_at, expires_at, next_retry_at)
         SELECT gen_random_uuid(), w.tenant_id, w.id, gen_random_uuid(), 'OrderShipped', '{}', 'Pending', now(), now() + interval '1 day', ${dueAt}
           FROM webhook w, generate_series(1, ?) WHERE w.id = ?`,
        [count, webhook.id],
      );
    await insertDue(600, "date_trunc('second', now()) - interval '1 minute' + interval '123.456789 milliseconds'");
    await insertDue(1, "now() - interval '1 second'");
    const rows = await db.execute<Array<{ id: string }>>('SELECT id FROM webhook_delivery WHERE webhook_id = ?', [webhook.id]);
    expect(rows).toHaveLength(601);
    const worker = await startWorker();
    try {
      await worker.get(WebhookMaintenanceProcessor).requeueLostDeliveries();
      // Every one of them has its job now (the scheduled sweep may have queued some of them first).
      const jobs = await Promise.all(rows.map((row) => apiQueue.getJob(deliveryJobId(row.id, 0))));
      expect(jobs.filter((job) => job === null)).toHaveLength(0);
      await Promise.all(jobs.map((job) => job?.remove()));
    } finally {
      await db.execute('DELETE FROM webhook_delivery WHERE webhook_id = ?', [webhook.id]);
      await apiQueue.resume();
      await closeWorker(worker);
    }
  });

  it('leaves out a webhook deleted while its deliveries are written, and writes the rest of the batch', async () => {
    await admin.events.registerEventType({ requestBody: { name: 'OrderReturned' } });
    receiver.on('/kept', answer(200));
    receiver.on('/deleted', answer(200));
    const kept = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/kept`, eventTypes: ['OrderReturned'] } });
    const deleted = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/deleted`, eventTypes: ['OrderReturned'] } });
    const db = api.app.get(EntityManager).fork().getConnection();
    const [{ tenant_id: tenantId }] = await db.execute<Array<{ tenant_id: string }>>('SELECT tenant_id FROM webhook WHERE id = ?', [kept.id]);
    const worker = await startWorker();
    const deleting = await api.app.get(EntityManager).getConnection().getKnex().transaction();
    try {
      await deleting.raw('DELETE FROM webhook WHERE id = ?', [deleted.id]);
      // The fan-out finds both webhooks (the delete has not committed), then writes their deliveries.
      const fannedOut = worker.get(DeliveryFanOut).add({
        envelope: { eventId: randomUUID(), eventType: 'OrderReturned', tenantId, occurredAt: new Date().toISOString() },
        payload: { data: { order: 'returned-1' } },
      });
      fannedOut.catch(() => undefined); // awaited below, after the commit
      await eventually(async () => expect(await lockWaiters(api.app.get(EntityManager), 'webhook')).toBe(1), 10_000);
      await deleting.commit();
      await fannedOut;
    } finally {
      if (!deleting.isCompleted()) await deleting.rollback();
    }
    expect(await statuses(deleted.id)).toEqual([]);
    await eventually(async () => expect(await statuses(kept.id)).toEqual([{ status: 'Delivered', n: '1' }]), 15_000, 100);
    await closeWorker(worker);
  });

  it('publishes WebhookDeliveryFailed for deliveries that end unattempted; only an expiry counts against the webhook', async () => {
    await admin.events.registerEventType({ requestBody: { name: 'OrderLost' } });
    const expiring = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/expiring`, eventTypes: ['OrderLost'] } });
    const disabled = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/disabled`, eventTypes: ['OrderLost'] } });
    // Held in a paused queue until the one delivery is past its 24 hours and the other's webhook is disabled.
    const apiQueue = api.app.get<Queue>(getQueueToken(WEBHOOK_DELIVERIES_QUEUE));
    await apiQueue.pause();
    const [eventId] = await publishMany(1, 'lost', 'OrderLost');
    const worker = await startWorker();
    const db = api.app.get(EntityManager).fork().getConnection();
    try {
      await eventually(async () => expect(await db.execute('SELECT id FROM webhook_delivery WHERE event_id = ?', [eventId])).toHaveLength(2), 15_000, 50);
      await db.execute("UPDATE webhook_delivery SET expires_at = now() - interval '1 second' WHERE webhook_id = ?", [expiring.id]);
      await admin.webhooks.updateWebhook({ id: disabled.id, requestBody: { isActive: false } });
    } finally {
      await apiQueue.resume();
    }
    await eventually(async () => expect(await statuses(expiring.id)).toEqual([{ status: 'Expired', n: '1' }]), 15_000, 100);
    await eventually(async () => expect(await statuses(disabled.id)).toEqual([{ status: 'Failed', n: '1' }]), 15_000, 100);

    const failures = await db.execute<Array<{ payload: Record<string, unknown> }>>(
      "SELECT o.payload FROM outbox_message o JOIN webhook_delivery d ON d.id = o.aggregate_id WHERE d.event_id = ? AND o.event_type = 'WebhookDeliveryFailed'",
      [eventId],
    );
    expect(failures.map((row) => row.payload)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ webhookId: expiring.id, attemptCount: 0, statusCode: null, nextRetryAt: null, errorMessage: expect.stringMatching(/24 hours/) }),
        expect.objectContaining({ webhookId: disabled.id, attemptCount: 0, statusCode: null, nextRetryAt: null, errorMessage: expect.stringMatching(/disabled/) }),
      ]),
    );
    expect(failures).toHaveLength(2);
    expect((await admin.webhooks.getWebhook({ id: expiring.id })).failureCount).toBe(1);
    expect((await admin.webhooks.getWebhook({ id: disabled.id })).failureCount).toBe(0);
    expect([...receiver.events('/expiring'), ...receiver.events('/disabled')]).toHaveLength(0);
    await closeWorker(worker);
  });

  it('logs, counts and announces an attempt once when a second run of its job sends it again', async () => {
    await admin.events.registerEventType({ requestBody: { name: 'OrderCounted' } });
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/twice`, eventTypes: ['OrderCounted'] } });
    // The first request is held until the second arrives: the second run loads the delivery while the first run's
    // outcome cannot have been written yet.
    const held: ServerResponse[] = [];
    receiver.on('/twice', (_, res) => {
      held.push(res);
      if (held.length === 2) for (const response of held) response.writeHead(200).end();
    });
    const worker = await startWorker({ WEBHOOK_CONCURRENCY_PER_WEBHOOK: '4' });
    const [eventId] = await publishMany(1, 'twice', 'OrderCounted');
    await eventually(async () => expect(receiver.events('/twice')).toHaveLength(1), 15_000, 10);
    const db = api.app.get(EntityManager).fork().getConnection();
    const [delivery] = await db.execute<Array<{ id: string }>>('SELECT id FROM webhook_delivery WHERE event_id = ? AND webhook_id = ?', [eventId, webhook.id]);

    // What Bull does with a job whose worker stalled: the same attempt runs again while the first run is in flight.
    await worker.get(WebhookDeliveryProcessor).run({ deliveryId: delivery.id, webhookId: webhook.id, attemptCount: 0 });
    await eventually(async () => expect(await statuses(webhook.id)).toEqual([{ status: 'Delivered', n: '1' }]), 15_000, 20);

    // The receiver got the request twice, as at-least-once delivery allows, with one webhook-id to drop the copy by...
    expect(receiver.events('/twice').map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId]);
    // ...but the log holds one attempt, the webhook counts one success, and WebhookSent is published once.
    expect(await db.execute('SELECT attempt_number FROM webhook_delivery_attempt WHERE delivery_id = ?', [delivery.id])).toEqual([{ attempt_number: 1 }]);
    expect(await db.execute('SELECT attempt_count FROM webhook_delivery WHERE id = ?', [delivery.id])).toEqual([{ attempt_count: 1 }]);
    expect(await db.execute('SELECT event_type FROM outbox_message WHERE aggregate_id = ?', [delivery.id])).toEqual([{ event_type: 'WebhookSent' }]);
    expect(await admin.webhooks.getWebhook({ id: webhook.id })).toMatchObject({ successCount: 1, failureCount: 0 });
    await closeWorker(worker);
  });

  it('moves counters and failure streaks by the outcomes of one batch, in the order of their attempts', async () => {
    await admin.events.registerEventType({ requestBody: { name: 'OrderAudited' } });
    const worker = await startWorker({ WEBHOOK_STATUS_FLUSH_MS: '1000' });
    const db = api.app.get(EntityManager).fork().getConnection();
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
    const webhookWith = async (name: string, failingSince: Date | null) => {
      const { id } = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/${name}`, eventTypes: ['OrderAudited'] } });
      await db.execute('UPDATE webhook SET failing_since = ? WHERE id = ?', [failingSince, id]);
      return id;
    };
    const outcome = async (webhookId: string, status: 'Delivered' | 'Retrying' | 'Failed' | 'Expired', attemptedAt: Date | null): Promise<DeliveryOutcome> => {
      const { deliveryId: id, tenantId } = await insertPendingDelivery(webhookId, 'OrderAudited');
      const attempt = attemptedAt && { statusCode: status === 'Delivered' ? 200 : 500, responseBody: null, error: null, durationMs: 1, attemptedAt };
      return { deliveryId: id, webhookId, tenantId, previousAttemptCount: 0, attemptsInRound: attempt ? 1 : 0, status, attempt, errorMessage: null, nextRetryAt: status === 'Retrying' ? at(600) : null };
    };

    // Failing, recovering and failing again: the streak starts at the failure after the last success.
    const relapsed = await webhookWith('relapsed', null);
    // Failing before and still failing: the old streak goes on.
    const stillFailing = await webhookWith('still-failing', at(1));
    // Failing before, then one success in the batch (listed before an older failure): the streak ends.
    const recovered = await webhookWith('recovered', at(1));
    // Healthy until the batch, which only fails: the first failure starts the streak; the expiry only counts.
    const started = await webhookWith('started', null);
    const outcomes = [
      await outcome(relapsed, 'Retrying', at(10)),
      await outcome(relapsed, 'Failed', at(40)),
      await outcome(relapsed, 'Delivered', at(20)),
      await outcome(relapsed, 'Retrying', at(30)),
      await outcome(stillFailing, 'Retrying', at(10)),
      await outcome(recovered, 'Delivered', at(20)),
      await outcome(recovered, 'Retrying', at(15)),
      await outcome(started, 'Expired', null),
      await outcome(started, 'Failed', at(25)),
      await outcome(started, 'Retrying', at(12)),
    ];
    // One batch: WEBHOOK_STATUS_FLUSH_MS holds the first outcome for a second, and all of them are in by then.
    const recorder = worker.get(DeliveryOutcomeRecorder);
    await Promise.all(outcomes.map((o) => recorder.record(o)));

    // Times as seconds past the start of 2026, as at() takes them.
    const rows = await db.execute<Array<{ id: string; success_count: string; failure_count: string; failing_since: number | null; last_triggered_at: number | null }>>(
      `SELECT id, success_count, failure_count,
              extract(epoch FROM failing_since - '2026-01-01Z')::int AS failing_since, extract(epoch FROM last_triggered_at - '2026-01-01Z')::int AS last_triggered_at
         FROM webhook WHERE id IN (?, ?, ?, ?)`,
      [relapsed, stillFailing, recovered, started],
    );
    const of = (id: string) => rows.find((row) => row.id === id);
    expect(of(relapsed)).toMatchObject({ success_count: '1', failure_count: '1', failing_since: 30, last_triggered_at: 40 });
    expect(of(stillFailing)).toMatchObject({ success_count: '0', failure_count: '0', failing_since: 1, last_triggered_at: 10 });
    expect(of(recovered)).toMatchObject({ success_count: '1', failure_count: '0', failing_since: null, last_triggered_at: 20 });
    expect(of(started)).toMatchObject({ success_count: '0', failure_count: '2', failing_since: 12, last_triggered_at: 25 });
    expect(await db.execute('SELECT count(*)::int AS n FROM webhook_delivery_attempt WHERE delivery_id = ANY(?::uuid[])', [`{${outcomes.map((o) => o.deliveryId).join(',')}}`])).toEqual([{ n: 9 }]);
    await closeWorker(worker);
  });

  it("fails a batch of outcomes PostgreSQL refuses with an error that carries neither the SQL nor the receivers' answers", async () => {
    const worker = await startWorker();
    const { id: webhookId } = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/refused-outcome`, eventTypes: ['OrderShipped'] } });
    const { deliveryId, tenantId } = await insertPendingDelivery(webhookId, 'OrderShipped');
    const refused: DeliveryOutcome = {
      deliveryId,
      webhookId,
      tenantId,
      previousAttemptCount: 0,
      attemptsInRound: 1,
      // Too long for its column: PostgreSQL refuses the statement.
      status: 'Delivered'.repeat(3) as DeliveryOutcome['status'],
      attempt: { statusCode: 200, responseBody: 'receiver-answer-marker', error: null, durationMs: 1, attemptedAt: new Date() },
      errorMessage: null,
      nextRetryAt: null,
    };
    const error = (await worker.get(DeliveryOutcomeRecorder).record(refused).then(() => undefined, (reason: unknown) => reason)) as Error & { cause?: unknown };
    expect(error.message).toMatch(/Recording 1 delivery outcome\(s\) failed \(.*code 22001/);
    const logged = [error.message, error.stack, JSON.stringify(error), String(error.cause)].join('\n');
    expect(logged).not.toContain('receiver-answer-marker');
    expect(logged).not.toMatch(/jsonb_to_recordset|webhook_delivery_attempt/i);
    await closeWorker(worker);
  });

  it('stores an outcome event nothing reacts to as processed, and hands one that something reacts to to the relay', async () => {
    const worker = await startWorker();
    const db = api.app.get(EntityManager).fork().getConnection();
    const { id: webhookId } = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/announced`, eventTypes: ['OrderShipped'] } });
    const delivered = async (): Promise<DeliveryOutcome> => {
      const { deliveryId, tenantId } = await insertPendingDelivery(webhookId, 'OrderShipped');
      const attempt = { statusCode: 200, responseBody: null, error: null, durationMs: 1, attemptedAt: new Date() };
      return { deliveryId, webhookId, tenantId, previousAttemptCount: 0, attemptsInRound: 1, status: 'Delivered', attempt, errorMessage: null, nextRetryAt: null };
    };
    const eventOf = async (deliveryId: string) =>
      (
        await db.execute<Array<{ event_type: string; published: boolean; processed: boolean; relay_job_id: string | null }>>(
          'SELECT event_type, published_at IS NOT NULL AS published, processed_at IS NOT NULL AS processed, relay_job_id FROM outbox_message WHERE aggregate_id = ?',
          [deliveryId],
        )
      )[0];
    const recorder = worker.get(DeliveryOutcomeRecorder);

    // Nothing in the application reacts to WebhookSent: stored as the record, never queued.
    const unobserved = await delivered();
    await recorder.record(unobserved);
    expect(await eventOf(unobserved.deliveryId)).toEqual({ event_type: 'WebhookSent', published: true, processed: true, relay_job_id: null });

    // Once something does (a reaction a module adds), the event goes through the relay and Bull to it.
    jest.spyOn(worker.get(DomainEventDispatcher), 'isObserved').mockReturnValue(true);
    const observed = await delivered();
    await recorder.record(observed);
    await eventually(async () => expect(await eventOf(observed.deliveryId)).toEqual({ event_type: 'WebhookSent', published: true, processed: true, relay_job_id: expect.any(String) }), 15_000, 50);
    await closeWorker(worker);
  });

  it('keeps a worker to WEBHOOK_IN_FLIGHT_PER_WORKER requests at once, however many attempts a job carries', async () => {
    await admin.events.registerEventType({ requestBody: { name: 'OrderWeighed' } });
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/in-flight`, eventTypes: ['OrderWeighed'] } });
    let open = 0;
    let mostOpen = 0;
    const held: ServerResponse[] = [];
    receiver.on('/in-flight', (_, res) => {
      held.push(res);
      mostOpen = Math.max(mostOpen, ++open);
      // Requests are answered only once three are open (or the last ones have come), so the worker reaches its
      // limit every time, however slow the machine. That the limit holds cannot be seen from here as an event: the
      // short pause before answering is the time a worker that ignored it would have to open a fourth request.
      if (open === 3 || receiver.events('/in-flight').length === 12) {
        setTimeout(() => {
          for (const response of held.splice(0)) {
            open--;
            response.writeHead(200).end();
          }
        }, 100);
      }
    });
    // Published before a worker runs, and held in a paused queue until we have seen it: the twelve first attempts
    // ride in one job, so only the worker's own limit can hold them to three at once.
    const apiQueue = api.app.get<Queue>(getQueueToken(WEBHOOK_DELIVERIES_QUEUE));
    await apiQueue.pause();
    await publishMany(12, 'in-flight', 'OrderWeighed');
    const worker = await startWorker({ WEBHOOK_IN_FLIGHT_PER_WORKER: '3' });
    const db = api.app.get(EntityManager).fork().getConnection();
    try {
      await eventually(async () => {
        const jobs = await db.execute('SELECT batch_job_id, count(*) AS n FROM webhook_delivery WHERE webhook_id = ? GROUP BY batch_job_id', [webhook.id]);
        expect(jobs).toEqual([{ batch_job_id: expect.stringMatching(/^batch-/), n: '12' }]);
      }, 15_000, 50);
    } finally {
      await apiQueue.resume();
    }
    await eventually(async () => expect(await statuses(webhook.id)).toEqual([{ status: 'Delivered', n: '12' }]), 15_000, 100);
    expect(mostOpen).toBe(3);
    await closeWorker(worker);
  });

  it('lets a slow webhook hold only its own slots: other webhooks are served meanwhile', async () => {
    await admin.events.registerEventType({ requestBody: { name: 'OrderDelayed' } });
    await admin.events.registerEventType({ requestBody: { name: 'OrderRushed' } });
    const slow = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/slow`, eventTypes: ['OrderDelayed'] } });
    const fast = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/fast`, eventTypes: ['OrderRushed'] } });
    // The slow webhook answers nothing until the test lets it: no timer decides which side is first.
    const heldSlow: ServerResponse[] = [];
    let slowAnswers = false;
    receiver.on('/slow', (_, res) => (slowAnswers ? res.writeHead(200).end() : heldSlow.push(res)));
    receiver.on('/fast', answer(200));
    // The slow webhook's attempts come first, in the same job as the fast one's.
    await publishMany(6, 'slow', 'OrderDelayed');
    await publishMany(4, 'fast', 'OrderRushed');
    const worker = await startWorker({ WEBHOOK_IN_FLIGHT_PER_WORKER: '3', WEBHOOK_CONCURRENCY_PER_WEBHOOK: '2' });

    // Two slow requests take two of the worker's three slots; the other slow attempts wait for their webhook,
    // not for the worker, so the fast webhook's four go through the third slot while both slow ones are unanswered.
    try {
      await eventually(async () => expect(await statuses(fast.id)).toEqual([{ status: 'Delivered', n: '4' }]), 15_000, 20);
      await eventually(async () => expect(heldSlow.length).toBe(2), 15_000, 20);
    } finally {
      slowAnswers = true;
      for (const response of heldSlow) response.writeHead(200).end();
    }
    await eventually(async () => expect(await statuses(slow.id)).toEqual([{ status: 'Delivered', n: '6' }]), 30_000, 100);
    await closeWorker(worker);
  });

  it('loses no delivery when the worker is closed mid-run and another takes over', async () => {
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/restart`, eventTypes: ['OrderShipped'] } });
    const { secret } = await admin.webhooks.getWebhookSecret({ id: webhook.id });
    // The receiver answers five requests, then holds the next ones until the first worker is closing: it is in the
    // middle of the run when it closes, however fast or slow the machine.
    const held: ServerResponse[] = [];
    let holding = true;
    receiver.on('/restart', (_, res) => (holding && receiver.events('/restart').length > 5 ? held.push(res) : res.writeHead(200).end()));
    const ids = await publishMany(60, 'restart');

    // Two requests at a time to this webhook: the first worker cannot be done with all 60 before it closes.
    const first = await startWorker({ WEBHOOK_CONCURRENCY_PER_WEBHOOK: '2' });
    await eventually(async () => expect(held.length).toBeGreaterThanOrEqual(1), 15_000, 20);
    const closing = closeWorker(first);
    try {
      // The worker stops taking jobs (its delivery queue pauses) before it waits for the requests in flight, which
      // are let go only then: attempts it has not started go back to the queue instead of being sent.
      const firstQueue = first.get<Queue>(getQueueToken(WEBHOOK_DELIVERIES_QUEUE));
      await eventually(async () => expect(await firstQueue.isPaused(true)).toBe(true), 15_000, 20);
    } finally {
      holding = false;
      for (const response of held) response.writeHead(200).end();
    }
    await closing;
    const byFirst = receiver.events('/restart').length;
    expect(byFirst).toBeLessThan(60);

    await startWorker();
    await eventually(async () => expect(await statuses(webhook.id)).toEqual([{ status: 'Delivered', n: '60' }]), 30_000, 100);
    const received = receiver.events('/restart');
    expect(new Set(received.map((r) => r.headers['webhook-id']))).toEqual(new Set(ids));
    for (const request of received) new StandardWebhook(secret).verify(request.body, request.headers);
  });
});
