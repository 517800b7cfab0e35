import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import type { IntegrationHubClient } from '../../sdk/dist';
import { SyncRunStore } from '../../src/modules/data-sync/infrastructure/sync-run-store';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { lockWaiters } from '../support/lock-waits';

/**
 * A worker's claim against a change of the job that commits while the claim is under way: a cancellation
 * (DELETE /api/datasyncs/{id}) of a due job, or the end of a run whose lease lapsed. The competing change holds
 * the job's row until the claim waits on it, so the interleaving is the same on every run.
 */
describe('claiming a data sync job', () => {
  let api: TestApp;
  let store: SyncRunStore;
  let admin: IntegrationHubClient;

  const db = () => api.app.get(EntityManager).fork().getConnection();

  beforeAll(async () => {
    api = await startTestApp({ PROCESS_ROLE: 'api' });
    store = new SyncRunStore(api.app.get(EntityManager).fork());
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: `Claims ${randomUUID()}` } });
    admin = api.client(tenant.adminKey.key);
  });

  afterAll(() => api.close());

  /** A job as a claim finds it (due now, or Running with a lapsed lease), of an integration of its own: one job runs per integration. */
  async function jobIn(status: 'Scheduled' | 'Running'): Promise<string> {
    const integration = await admin.integrations.createIntegration({
      requestBody: { name: `Source ${randomUUID()}`, integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: 'http://127.0.0.1:9' } },
    });
    const id = randomUUID();
    await db().execute(
      `INSERT INTO data_sync_job (id, tenant_id, integration_id, sync_type, direction, status, lease_token, lease_expires_at, scheduled_at, created_at)
       SELECT ?, tenant_id, id, 'Full', 'Import', ?, ?, now() - interval '1 minute', now() - interval '1 minute', now() FROM integration WHERE id = ?`,
      [id, status, status === 'Running' ? randomUUID() : null, integration.id],
    );
    return id;
  }

  it.each([
    ['a cancellation of a due job', 'Scheduled', 'Cancelled'],
    ['the end of a run whose lease lapsed', 'Running', 'Completed'],
  ] as const)('does not take a job that %s has just ended', async (_, from, to) => {
    const jobId = await jobIn(from);
    const competing = await api.app.get(EntityManager).getConnection().getKnex().transaction();
    try {
      await competing.raw(`UPDATE data_sync_job SET status = ?, completed_at = now() WHERE id = ?`, [to, jobId]);
      const claim = store.claim(jobId, randomUUID(), 60_000, 10);
      // The claim has read the job and now waits for the competing change's row lock.
      await eventually(async () => {
        expect(await lockWaiters(api.app.get(EntityManager), 'data_sync_job')).toBe(1);
      }, 10_000);
      await competing.commit();
      expect((await claim).kind).toBe('not-runnable');
    } finally {
      if (!competing.isCompleted()) await competing.rollback();
    }
    const [job] = await db().execute<Array<{ status: string; runs: number }>>('SELECT status, runs FROM data_sync_job WHERE id = ?', [jobId]);
    expect(job).toEqual({ status: to, runs: 0 });
  });

  it('keeps the integration for a Running job whose lease lapsed: its other jobs wait until it has ended', async () => {
    const interrupted = await jobIn('Running');
    await db().execute(`UPDATE data_sync_job SET started_at = now() - interval '1 minute' WHERE id = ?`, [interrupted]);
    const waiting = randomUUID();
    await db().execute(
      `INSERT INTO data_sync_job (id, tenant_id, integration_id, sync_type, direction, status, scheduled_at, created_at)
       SELECT ?, tenant_id, integration_id, 'Incremental', 'Import', 'Scheduled', now() - interval '1 minute', now() FROM data_sync_job WHERE id = ?`,
      [waiting, interrupted],
    );
    // A Full import released its lease (a timeout, a shutdown) and has not resumed yet: the Incremental must not run
    // in the gap, or the Full import's end would flag the records it saw before as deleted.
    expect((await store.claim(waiting, randomUUID(), 60_000, 10)).kind).toBe('busy');
    const resumed = randomUUID();
    expect(await store.claim(interrupted, resumed, 60_000, 10)).toMatchObject({ kind: 'claimed', job: { id: interrupted } });
    expect((await store.claim(waiting, randomUUID(), 60_000, 10)).kind).toBe('busy');

    // Of two Running jobs of one integration (left by an older build), the one started first goes on.
    await store.release(interrupted, resumed);
    await db().execute(`UPDATE data_sync_job SET status = 'Running', started_at = now(), lease_token = ?, lease_expires_at = now() - interval '1 second' WHERE id = ?`, [randomUUID(), waiting]);
    expect((await store.claim(waiting, randomUUID(), 60_000, 10)).kind).toBe('busy');
    expect((await store.claim(interrupted, randomUUID(), 60_000, 10)).kind).toBe('claimed');
  });

  it('still takes a due job nobody else changed', async () => {
    const jobId = await jobIn('Scheduled');
    const claim = await store.claim(jobId, randomUUID(), 60_000, 10);
    expect(claim).toMatchObject({ kind: 'claimed', job: { id: jobId, status: 'Running', runs: 1 } });
  });
});
