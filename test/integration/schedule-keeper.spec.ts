import { EntityManager } from '@mikro-orm/postgresql';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import type { IntegrationHubClient } from '../../sdk/dist';
import { createWorker } from '../../src/bootstrap';
import { loadConfig } from '../../src/common/config/app-config';
import { OUTBOX_RECOVERY_JOB } from '../../src/common/outbox/outbox-recovery';
import { DOMAIN_EVENTS_QUEUE, MAINTENANCE_QUEUE } from '../../src/common/queues/queues';
import { ScheduleKeeper } from '../../src/common/queues/schedule-keeper';
import { eventually, startTestApp, TestApp } from '../support/test-app';

/**
 * Schedules are Bull repeatable jobs, kept only in Redis. When Redis comes back empty while workers run, the
 * workers put every schedule back without a restart, once across workers, and the restored outbox recovery then
 * queues again an event whose job went with everything else. Two workers beside an API (PROCESS_ROLE=api); the
 * every-minute schedules are set to once a year, so the only runs are the ones a test brings forward.
 */
describe('schedules that Redis lost', () => {
  let api: TestApp;
  let workers: INestApplicationContext[];
  let keepers: ScheduleKeeper[];
  let admin: IntegrationHubClient;
  let maintenance: Queue;
  let domainEvents: Queue;
  /** The schedules as the workers set them up, by Bull's repeat key. */
  let scheduled: string[];

  const listedSchedules = async () => (await maintenance.getRepeatableJobs()).map((job) => job.key).sort();
  /** The repeat keys of the runs waiting to happen (or happening). */
  const upcomingRuns = async () =>
    [...new Set((await maintenance.getJobs(['delayed', 'waiting', 'active'])).map((job) => (job.opts.repeat as { key?: string } | undefined)?.key))].sort();

  /** What an empty restart or a flush does, to this test run's keys only: other runs share the server. */
  async function forgetEverythingInRedis(): Promise<void> {
    const redis = new Redis(api.config.redisUrl);
    try {
      for await (const keys of redis.scanStream({ match: `${api.config.redisKeyPrefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
        if (keys.length) await redis.unlink(...keys);
      }
    } finally {
      await redis.quit();
    }
  }

  beforeAll(async () => {
    api = await startTestApp({ PROCESS_ROLE: 'api' });
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Schedules' } });
    admin = api.client(tenant.adminKey.key);
    await admin.events.registerEventType({ requestBody: { name: 'ParcelScanned' } });
    // Every event through Bull (OUTBOX_REACT_IN_RELAY=false), as events with reactions that cannot run in the relay go:
    // the recovery is for them.
    const env = { ...process.env, OUTBOX_POLL_MS: '50', OUTBOX_RECOVER_AFTER_MS: '0', OUTBOX_RECOVER_CRON: '0 0 1 1 *', WEBHOOK_SWEEP_CRON: '0 0 1 1 *', OUTBOX_REACT_IN_RELAY: 'false' };
    workers = [await createWorker(loadConfig(env, () => undefined)), await createWorker(loadConfig(env, () => undefined))];
    keepers = workers.map((worker) => worker.get(ScheduleKeeper));
    maintenance = api.app.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    domainEvents = api.app.get<Queue>(getQueueToken(DOMAIN_EVENTS_QUEUE));
    scheduled = await listedSchedules();
  });

  afterAll(async () => {
    for (const worker of workers ?? []) await worker.close();
    await api?.close();
  });

  it('every schedule is set up once, whatever the number of workers', async () => {
    const names = (await maintenance.getRepeatableJobs()).map((job) => job.id ?? job.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'outbox-recovery',
        'webhook-sweep',
        'webhook-delivery-cleanup',
        'revoke-expired-api-keys',
        'integration-health-sweep',
        'data-sync-scheduler',
        'retention-audit',
        'retention-outbox',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('workers put every schedule back, once, after Redis lost them all', async () => {
    await forgetEverythingInRedis();
    expect(await listedSchedules()).toEqual([]);

    // Both workers find them missing at the same moment and add them back.
    await Promise.all(keepers.map((keeper) => keeper.restoreMissingSchedules()));
    expect(await listedSchedules()).toEqual(scheduled);
    expect(await upcomingRuns()).toEqual(scheduled);
    expect(await keepers[0].restoreMissingSchedules()).toEqual({ [MAINTENANCE_QUEUE]: 0 });
  });

  it('workers put back the runs of schedules still listed without one, as after the dashboard emptied the queue', async () => {
    expect(await keepers[0].restoreMissingSchedules()).toEqual({ [MAINTENANCE_QUEUE]: 0 });
    await maintenance.empty();
    expect(await listedSchedules()).toEqual(scheduled);
    expect(await upcomingRuns()).toEqual([]);
    expect(await keepers[0].restoreMissingSchedules()).toEqual({ [MAINTENANCE_QUEUE]: scheduled.length });
    expect(await upcomingRuns()).toEqual(scheduled);
    expect(await keepers[1].restoreMissingSchedules()).toEqual({ [MAINTENANCE_QUEUE]: 0 });
  });

  it('the restored outbox recovery queues again an event whose job Redis lost', async () => {
    const outboxRow = async (id: string) =>
      (
        await api.app
          .get(EntityManager)
          .fork()
          .getConnection()
          .execute<Array<{ relay_job_id: string | null; processed_at: string | null }>>('SELECT relay_job_id, processed_at::text AS processed_at FROM outbox_message WHERE id = ?', [id])
      )[0];
    // No worker takes domain-events jobs while the queue is paused: the event's job waits in Redis...
    await domainEvents.pause();
    try {
      const { id } = await admin.events.publishEvent({ requestBody: { eventType: 'ParcelScanned', data: { parcel: 'lost-with-redis' } } });
      await eventually(async () => expect((await outboxRow(id)).relay_job_id).toBeTruthy(), 15_000, 50);
      // ...and goes, with the pause and every schedule.
      await forgetEverythingInRedis();

      expect(await keepers[0].restoreMissingSchedules()).toEqual({ [MAINTENANCE_QUEUE]: scheduled.length });
      const [nextRecovery] = (await maintenance.getDelayed()).filter((job) => job.name === OUTBOX_RECOVERY_JOB);
      // Its next run, brought forward from next January.
      await nextRecovery.promote();
      await eventually(async () => expect((await outboxRow(id)).processed_at).toBeTruthy(), 15_000, 50);
    } finally {
      await domainEvents.resume();
    }
  });

  it('a worker checks again on its own when its queue connection to Redis is ready again', async () => {
    await forgetEverythingInRedis();
    const connection = workers[0].get<Queue>(getQueueToken(MAINTENANCE_QUEUE)).client;
    // As after a Redis restart: the connection drops and ioredis reconnects.
    connection.disconnect(true);
    await eventually(async () => expect(await listedSchedules()).toEqual(scheduled), 15_000, 50);
  });
});
