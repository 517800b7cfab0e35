import { EntityManager } from '@mikro-orm/postgresql';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DomainEventJob, OutboxRelay } from '../../src/common/outbox/outbox-relay';
import { DOMAIN_EVENTS_QUEUE } from '../../src/common/queues/queues';
import { startTestApp, TestApp } from '../support/test-app';

/** Several workers relaying at once share the outbox: each committed event is handed on exactly once. */
describe('outbox relay with several workers', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ PROCESS_ROLE: 'api' });
  });

  afterAll(() => hub.close());

  it('never hands the same row to two relays (rows stay locked until the pass commits)', async () => {
    const em = hub.app.get(EntityManager).fork();
    const pendingBefore = async () =>
      Number((await em.execute<Array<{ n: string }>>('SELECT count(*) AS n FROM outbox_message WHERE published_at IS NULL'))[0].n);
    const alreadyPending = await pendingBefore();
    await em.execute(
      `INSERT INTO outbox_message (id, tenant_id, event_type, aggregate_id, payload, occurred_at)
       SELECT gen_random_uuid(), NULL, 'RelayTest', NULL, '{}'::jsonb, now() FROM generate_series(1, 400)`,
    );
    const queue = hub.app.get<Queue>(getQueueToken(DOMAIN_EVENTS_QUEUE));
    const config = { ...hub.config, outbox: { ...hub.config.outbox, batchSize: 25 } };
    const relays = [0, 1, 2].map(() => new OutboxRelay(hub.app.get(EntityManager), queue, config));
    let relayed = 0;
    for (;;) {
      const moved = await Promise.all(relays.map((relay) => relay.relayOnce()));
      const sum = moved.reduce((a, b) => a + b, 0);
      if (sum === 0) break;
      relayed += sum;
    }
    expect(relayed).toBe(alreadyPending + 400);
    expect(await pendingBefore()).toBe(0);
    // Nothing consumes the queue in an API process: the queued jobs hold each test event exactly once.
    const jobs = (await queue.getWaiting(0, -1)) as Array<{ id: string; data: DomainEventJob }>;
    const relayedTestEvents = jobs.flatMap((job) => job.data.events).filter((event) => event.eventType === 'RelayTest');
    expect(relayedTestEvents).toHaveLength(400);
    expect(new Set(relayedTestEvents.map((event) => event.eventId)).size).toBe(400);
    // Each row names the job that carries it, for the recovery to look up.
    const jobOf = new Map(jobs.flatMap((job) => job.data.events.map((event) => [event.eventId, String(job.id)] as const)));
    const rows = await em.execute<Array<{ id: string; relay_job_id: string }>>("SELECT id, relay_job_id FROM outbox_message WHERE event_type = 'RelayTest'");
    expect(rows.filter((row) => row.relay_job_id !== jobOf.get(row.id))).toEqual([]);
  });
});
