import { EntityManager } from '@mikro-orm/postgresql';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { MAINTENANCE_QUEUE } from '../../src/common/queues/queues';
import { RetentionScheduler } from '../../src/common/retention/retention';
import { startTestApp, TestApp } from '../support/test-app';

/** §17.2: each table keeps its rows for its own period; younger rows stay. */
describe('retention', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ AUDIT_RETENTION_DAYS: '365', INCOMING_WEBHOOKS_RETENTION_DAYS: '30' });
  });

  afterAll(() => hub.close());

  it('schedules one daily job per rule, once however many workers start', async () => {
    const queue = hub.app.get<Queue>(getQueueToken(MAINTENANCE_QUEUE));
    const schedules = (await queue.getRepeatableJobs()).filter((job) => job.name === 'retention');
    expect(schedules.map((job) => job.id).sort()).toEqual(
      expect.arrayContaining(['retention-audit', 'retention-incoming-webhooks', 'retention-integration-logs', 'retention-outbox']),
    );
    expect(schedules.find((job) => job.id === 'retention-audit')?.cron).toBe('30 2 * * *');
    expect(new Set(schedules.map((job) => job.key)).size).toBe(schedules.length);
  });

  it('deletes audit entries older than a year and stored callbacks older than 30 days, keeping younger ones', async () => {
    const connection = hub.app.get(EntityManager).fork().getConnection();
    const tenant = '6d2b1f7e-0000-4000-8000-00000000a001';
    for (const [age, action] of [[366, 'old'], [364, 'young']] as const) {
      await connection.execute(
        `INSERT INTO audit_entry (id, tenant_id, action, resource_type, details, created_at) VALUES (gen_random_uuid(), ?, ?, 'test', '{}', now() - make_interval(days => ?))`,
        [tenant, `retention-${action}`, age],
      );
    }
    for (const [age, key] of [[31, 'old'], [29, 'young']] as const) {
      await connection.execute(
        `INSERT INTO inbound_webhook_event (id, tenant_id, integration_id, provider, scheme, dedupe_key, body, source_ip, received_at)
         VALUES (gen_random_uuid(), ?, gen_random_uuid(), 'Stripe', 'stripe', ?, '{}', '127.0.0.1', now() - make_interval(days => ?))`,
        [tenant, `retention-${key}`, age],
      );
    }
    const scheduler = hub.app.get(RetentionScheduler);
    expect(await scheduler.purgeNow('audit')).toBeGreaterThanOrEqual(1);
    expect(await scheduler.purgeNow('incoming-webhooks')).toBeGreaterThanOrEqual(1);
    const audit = await connection.execute<Array<{ action: string }>>("SELECT action FROM audit_entry WHERE action LIKE 'retention-%'");
    const inbound = await connection.execute<Array<{ dedupe_key: string }>>("SELECT dedupe_key FROM inbound_webhook_event WHERE dedupe_key LIKE 'retention-%'");
    expect(audit.map((r) => r.action)).toEqual(['retention-young']);
    expect(inbound.map((r) => r.dedupe_key)).toEqual(['retention-young']);
  });

  it('deletes outbox rows relayed over a week ago once processed, keeping those whose reactions have not run', async () => {
    const connection = hub.app.get(EntityManager).fork().getConnection();
    for (const [age, name, jobId, processed] of [
      [8, 'processed', 'job-1', true],
      [8, 'unprocessed', 'job-2', false],
      [8, 'relayed-before-job-ids', null, false],
      [6, 'young', 'job-3', true],
    ] as const) {
      await connection.execute(
        `INSERT INTO outbox_message (id, event_type, payload, occurred_at, published_at, relay_job_id, processed_at)
         VALUES (gen_random_uuid(), ?, '{}', now(), now() - make_interval(days => ?), ?, CASE WHEN ? THEN now() END)`,
        [`retention-${name}`, age, jobId, processed],
      );
    }
    expect(await hub.app.get(RetentionScheduler).purgeNow('outbox')).toBeGreaterThanOrEqual(2);
    const left = await connection.execute<Array<{ event_type: string }>>("SELECT event_type FROM outbox_message WHERE event_type LIKE 'retention-%' ORDER BY event_type");
    expect(left.map((r) => r.event_type)).toEqual(['retention-unprocessed', 'retention-young']);
    // The run's database is shared: a relayed, unprocessed row whose job Redis never held is what the outbox
    // recovery looks for, and it would find this one in a later spec.
    await connection.execute("DELETE FROM outbox_message WHERE event_type LIKE 'retention-%'");
  });
});
