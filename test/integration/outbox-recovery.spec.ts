import { EntityManager } from '@mikro-orm/postgresql';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type { IntegrationHubClient } from '../../sdk/dist';
import { createWorker } from '../../src/bootstrap';
import { loadConfig } from '../../src/common/config/app-config';
import { pgArray } from '../../src/common/database/pg-array';
import { OutboxRecovery } from '../../src/common/outbox/outbox-recovery';
import type { DomainEventJob } from '../../src/common/outbox/outbox-relay';
import { DOMAIN_EVENTS_QUEUE } from '../../src/common/queues/queues';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { answer, WebhookReceiver } from '../support/webhook-receiver';

interface OutboxState {
  id: string;
  published_at: string | null;
  relay_job_id: string | null;
  processed_at: string | null;
}

/**
 * Published is not processed: a relayed event whose Bull job Redis lost (Redis keeps nothing on disk) is found
 * in PostgreSQL and queued again, so its webhook fan-out still happens; an event whose job still waits, or whose
 * reactions already ran, is left alone. The API runs alone (PROCESS_ROLE=api) beside one worker whose recovery
 * runs only when a test calls it (OUTBOX_RECOVER_AFTER_MS=0: every relayed event is old enough).
 */
describe('outbox recovery of events whose job Redis lost', () => {
  let api: TestApp;
  let worker: INestApplicationContext;
  let receiver: WebhookReceiver;
  let admin: IntegrationHubClient;
  let webhookId: string;
  let queue: Queue<DomainEventJob>;
  let recovery: OutboxRecovery;

  const db = () => api.app.get(EntityManager).fork().getConnection();
  const outboxOf = (ids: string[]) =>
    db().execute<OutboxState[]>(
      'SELECT id, published_at::text AS published_at, relay_job_id, processed_at::text AS processed_at FROM outbox_message WHERE id = ANY(?::uuid[]) ORDER BY seq',
      [pgArray(ids)],
    );
  const unprocessed = async () => Number((await db().execute<Array<{ n: string }>>('SELECT count(*) AS n FROM outbox_message WHERE processed_at IS NULL'))[0].n);
  const deliveredEvents = async () =>
    (await db().execute<Array<{ event_id: string }>>("SELECT event_id FROM webhook_delivery WHERE webhook_id = ? AND status = 'Delivered'", [webhookId])).map((row) => row.event_id);
  /** The events the queue holds for the worker (paused or waiting), one entry per job that carries one. */
  const queuedEvents = async () => ((await queue.getJobs(['paused', 'waiting'])) as Array<{ data: DomainEventJob }>).flatMap((job) => job.data.events.map((event) => event.eventId));

  async function publish(count: number, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await admin.events.publishEvent({ requestBody: { eventType: 'ParcelScanned', data: { parcel: `${prefix}-${i}` } } })).id);
    // Relayed: each row names the job it went out in.
    await eventually(async () => expect((await outboxOf(ids)).every((row) => row.published_at && row.relay_job_id)).toBe(true), 15_000, 50);
    return ids;
  }

  beforeAll(async () => {
    api = await startTestApp({ PROCESS_ROLE: 'api' });
    receiver = await WebhookReceiver.start();
    receiver.on('/parcels', answer(200));
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Recovery' } });
    admin = api.client(tenant.adminKey.key);
    await admin.events.registerEventType({ requestBody: { name: 'ParcelScanned' } });
    webhookId = (await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/parcels`, eventTypes: ['ParcelScanned'] } })).id;
    worker = await createWorker(
      // Every event through Bull, as events with reactions that cannot run in the relay go: the recovery is for them.
      loadConfig(
        { ...process.env, OUTBOX_POLL_MS: '50', OUTBOX_RECOVER_AFTER_MS: '0', OUTBOX_RECOVER_CRON: '0 0 1 1 *', WEBHOOK_STATUS_FLUSH_MS: '5', OUTBOX_REACT_IN_RELAY: 'false' },
        () => undefined,
      ),
    );
    queue = api.app.get<Queue<DomainEventJob>>(getQueueToken(DOMAIN_EVENTS_QUEUE));
    recovery = worker.get(OutboxRecovery);
    // The set-up's own events (tenant, key, webhook) run their reactions and end processed before any test.
    await eventually(async () => expect(await unprocessed()).toBe(0), 15_000, 50);
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await receiver?.close();
  });

  it('leaves an event whose job still waits in Redis alone, however long it waits', async () => {
    // No worker takes domain-events jobs while the queue is paused: the relayed jobs wait in Redis.
    await queue.pause();
    let ids: string[] = [];
    try {
      ids = await publish(2, 'waiting');
      const relayed = await outboxOf(ids);
      expect(await recovery.recoverLostEvents()).toEqual({ recovered: 0, inFailedJobs: 0 });
      expect(await outboxOf(ids)).toEqual(relayed);
      expect((await queuedEvents()).filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    } finally {
      await queue.resume();
    }
    await eventually(async () => expect((await outboxOf(ids)).every((row) => row.processed_at)).toBe(true), 15_000, 50);
    // Processed means the fan-out wrote the deliveries; sending them follows.
    await eventually(async () => expect((await deliveredEvents()).filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort()), 15_000, 50);
  });

  it('queues again the events whose job Redis lost, leaving one sent back alone to its own job; their reactions run and the rows end processed', async () => {
    // The earlier test's deliveries wrote WebhookSent events: relayed in one pass with this test's events, they
    // would share their jobs, be lost with them and be recovered too.
    await eventually(async () => expect(await unprocessed()).toBe(0), 15_000, 50);
    await queue.pause();
    let ids: string[] = [];
    try {
      ids = await publish(3, 'lost');
      const relayJobIds = [...new Set((await outboxOf(ids)).map((row) => row.relay_job_id!))];
      const jobs = await Promise.all(relayJobIds.map((id) => queue.getJob(id)));
      const [keptAlone] = jobs.flatMap((job) => job!.data.events).filter((event) => event.eventId === ids[2]);
      // Redis loses every job that carries them (a flush, a failover without persistence)...
      for (const job of jobs) await job!.remove();
      expect(await Promise.all(relayJobIds.map((id) => queue.getJob(id)))).toEqual(relayJobIds.map(() => null));
      // ...but one event had been sent back alone under its own id, as the processor does when its reactions failed.
      await queue.add({ events: [keptAlone] }, { jobId: keptAlone.eventId });

      expect(await recovery.recoverLostEvents()).toEqual({ recovered: 2, inFailedJobs: 0 });
      // The relay takes them again and names their new job; the event in a job of its own is queued once.
      await eventually(async () => expect((await outboxOf(ids)).every((row) => row.published_at && row.relay_job_id)).toBe(true), 15_000, 50);
      expect((await queuedEvents()).filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
      expect((await outboxOf(ids)).every((row) => row.processed_at === null)).toBe(true);
    } finally {
      await queue.resume();
    }
    await eventually(async () => expect((await outboxOf(ids)).every((row) => row.processed_at)).toBe(true), 15_000, 50);
    await eventually(async () => expect((await deliveredEvents()).filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort()), 15_000, 50);
    const arrived = receiver.events('/parcels').map((request) => request.headers['webhook-id']);
    expect(arrived.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
  });

  it('leaves events whose reactions ran alone, though their completed jobs are gone from Redis', async () => {
    await eventually(async () => expect(await unprocessed()).toBe(0), 15_000, 50);
    const ids = await publish(2, 'processed');
    await eventually(async () => expect((await outboxOf(ids)).every((row) => row.processed_at)).toBe(true), 15_000, 50);
    const processed = await outboxOf(ids);
    expect(await Promise.all(processed.map((row) => queue.getJob(row.relay_job_id!)))).toEqual(ids.map(() => null));
    expect(await recovery.recoverLostEvents()).toEqual({ recovered: 0, inFailedJobs: 0 });
    expect(await outboxOf(ids)).toEqual(processed);
  });
});
