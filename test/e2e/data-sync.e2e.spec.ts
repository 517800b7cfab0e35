import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { MikroOrmEntitiesStorage } from '@mikro-orm/nestjs/mikro-orm.entities.storage';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { getQueueToken } from '@nestjs/bull';
import type { Job as BullJob, Queue } from 'bull';
import { RetentionScheduler } from '../../src/common/retention/retention';
import { MAINTENANCE_QUEUE } from '../../src/common/queues/queues';
import { createWorker } from '../../src/bootstrap';
import { DATA_SYNC_SCHEDULER_JOB } from '../../src/modules/data-sync/workers/data-sync-maintenance.processor';
import { FakeSyncSource } from '../support/fake-sync-source';
import { DataSyncStream } from '../../src/modules/data-sync/infrastructure/data-sync-stream';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { ApiError } from '../../sdk/dist';

interface Job {
  id: string;
  status: string;
  createdAt: string;
  recordsTotal: number;
  recordsProcessed: number;
  recordsFailed: number;
  recordsCreated: number;
  recordsUpdated: number;
  recordsUnchanged: number;
  recordsDeleted: number;
  runs: number;
  errorMessage: string | null;
  progress: { percent: number | null; recordsPerSecond: number | null };
}

const json = { 'content-type': 'application/json' };

/** Issue #5 end to end: imports from a fake REST source on 127.0.0.1 into synced_record, through the API and the worker. */
describe('data sync', () => {
  let hub: TestApp;
  let key: string;
  const source = new FakeSyncSource();
  let sourceUrl: string;

  beforeAll(async () => {
    sourceUrl = await source.start();
    // The API replica alone; workers are started by the tests, so one can be stopped mid-job.
    hub = await startTestApp({ PROCESS_ROLE: 'api', DATA_SYNC_MAX_RECORD_BYTES: '2048', DATA_SYNC_DEFAULT_PAGE_SIZE: '50', DATA_SYNC_BATCH_SIZE: '100', DATA_SYNC_LEASE_MS: '1500', DATA_SYNC_SCHEDULER_CRON: '* * * * * *', DATA_SYNC_STREAM_POLL_MS: '200', DATA_SYNC_RETRY_BASE_DELAY_MS: '10' });
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: `Sync ${randomUUID()}` } });
    key = tenant.adminKey.key;
    entities = [...MikroOrmEntitiesStorage.getEntities()];
  });

  afterAll(async () => {
    await hub.close();
    await source.stop();
  });

  let worker: INestApplicationContext | undefined;
  let entities: unknown[] = [];
  const startWorker = async () => {
    // @mikro-orm/nestjs forgets the forFeature() entities once an app of the process closes: give them back.
    for (const entity of entities) MikroOrmEntitiesStorage.addEntity(entity as never);
    worker = await createWorker(hub.config);
  };
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  const call = (path: string, init: RequestInit = {}) => hub.request(path, { ...init, key, headers: init.body ? json : {} });

  async function activeIntegration(resource: Record<string, unknown> = {}, sync: Record<string, unknown> = {}): Promise<string> {
    const created = await call('/api/integrations', {
      method: 'POST',
      body: JSON.stringify({
        name: `Source ${randomUUID()}`,
        integrationType: 'CustomAPI',
        provider: 'Custom',
        configuration: {
          baseUrl: sourceUrl,
          healthPath: '/health',
          sync: { resources: [{ entity: 'contacts', path: '/contacts', idField: 'id', updatedAtField: 'updatedAt', recordsField: 'data', totalField: 'total', updatedSinceParam: 'updatedSince', pagination: { type: 'cursor', nextCursorField: 'nextCursor' }, ...resource }], ...sync },
        },
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const tested = await call(`/api/integrations/${id}/test`, { method: 'POST' });
    if (tested.status >= 300) throw new Error(`test: ${tested.status} ${await tested.text()}`);
    return id;
  }

  async function createSync(integrationId: string, syncType: string, extra: Record<string, unknown> = {}): Promise<Response> {
    return call('/api/datasyncs', { method: 'POST', body: JSON.stringify({ integrationId, syncType, direction: 'Import', ...extra }) });
  }

  /**
   * As if the job had been created and run `days` ago: the frequency rules count a sync from when it runs
   * (BR-DS-01/02), so a test that needs a second Full now moves the first one back, as time would.
   */
  async function ranDaysAgo(jobId: string, days: number): Promise<void> {
    const back = `make_interval(days => ${Number(days)})`;
    await hub.app.get(EntityManager).fork().getConnection().execute(
      `UPDATE data_sync_job SET scheduled_at = scheduled_at - ${back}, created_at = created_at - ${back}, started_at = started_at - ${back}, completed_at = completed_at - ${back} WHERE id = ?`,
      [jobId],
    );
  }

  async function finished(jobId: string, ms = 20_000): Promise<Job> {
    return eventually(async () => {
      const job = (await (await call(`/api/datasyncs/${jobId}`)).json()) as Job;
      expect(['Completed', 'PartialSuccess', 'Failed', 'Cancelled']).toContain(job.status);
      return job;
    }, ms, 100);
  }

  function seed(count: number, updatedAt = '2026-01-01T00:00:00.000Z'): void {
    source.records.clear();
    source.rawItems = [];
    for (let i = 0; i < count; i++) {
      const id = `c${String(i).padStart(5, '0')}`;
      source.records.set(id, { id, name: `Contact ${i}`, updatedAt });
    }
  }

  it('refuses bad creations with clear 4xx answers', async () => {
    const integrationId = await activeIntegration();
    expect((await createSync(randomUUID(), 'Full')).status).toBe(422);
    expect((await createSync(integrationId, 'Sometimes')).status).toBe(400);
    const old = await createSync(integrationId, 'Full', { scheduledAt: new Date(Date.now() - 31 * 86_400_000).toISOString() });
    expect(old.status).toBe(400);
    // Near year 9999 the frequency rules' windows left PostgreSQL's range (a 500).
    for (const scheduledAt of ['9999-12-31T23:30:00Z', new Date(Date.now() + 367 * 86_400_000).toISOString()]) {
      const ahead = await createSync(integrationId, 'Full', { scheduledAt });
      expect(ahead.status).toBe(400);
      expect(await ahead.json()).toMatchObject({ code: 'datasync.scheduled_too_far_ahead', errors: [{ field: 'scheduledAt' }] });
    }
    const draft = await call('/api/integrations', { method: 'POST', body: JSON.stringify({ name: `Draft ${randomUUID()}`, integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: sourceUrl } }) });
    const draftId = ((await draft.json()) as { id: string }).id;
    const inactive = await createSync(draftId, 'Full');
    expect(inactive.status).toBe(422);
    expect(((await inactive.json()) as { detail: string }).detail).toMatch(/Active/);

    const later = new Date(Date.now() + 3600_000).toISOString();
    expect((await createSync(integrationId, 'Full', { scheduledAt: later })).status).toBe(201);
    const second = await createSync(integrationId, 'Full');
    expect(second.status).toBe(409);
    const problem = (await second.json()) as { nextAllowedAt: string };
    expect(new Date(problem.nextAllowedAt).getTime()).toBe(new Date(later).getTime() + 86_400_000);
  });

  it('counts a sync scheduled in the past from when it runs, so backdating gets no sync past BR-DS-01/02', async () => {
    const integrationId = await activeIntegration();
    const ago = (ms: number) => ({ scheduledAt: new Date(Date.now() - ms).toISOString() });
    const created: Job[] = [];
    const create = async (syncType: string, extra: Record<string, unknown>) => {
      const response = await createSync(integrationId, syncType, extra);
      if (response.status === 201) created.push((await response.json()) as Job);
      return response;
    };
    try {
      // Both run now, whatever day they name: the second Full is a second one today.
      expect((await create('Full', ago(29 * 86_400_000))).status).toBe(201);
      const full = await create('Full', ago(27 * 86_400_000));
      expect(full.status).toBe(409);
      const fullProblem = (await full.json()) as { code: string; nextAllowedAt: string };
      expect(fullProblem.code).toBe('datasync.too_frequent');
      expect(fullProblem.nextAllowedAt).toBe(new Date(new Date(created[0].createdAt).getTime() + 86_400_000).toISOString());

      expect((await create('Incremental', ago(3 * 3_600_000))).status).toBe(201);
      const incremental = await create('Incremental', ago(2 * 3_600_000));
      expect(incremental.status).toBe(409);
      expect(((await incremental.json()) as { nextAllowedAt: string }).nextAllowedAt).toBe(new Date(new Date(created[1].createdAt).getTime() + 3_600_000).toISOString());
    } finally {
      // Due at once: cancelled, so that the workers of later tests do not run them.
      for (const job of created) await call(`/api/datasyncs/${job.id}`, { method: 'DELETE' });
    }
  });

  it('holds no database connection while the provider keeps its credential checks waiting', async () => {
    const integrationId = await activeIntegration();
    // As many creations as the pool has connections: were each to wait inside a transaction, no other query could run.
    const { max: poolSize } = hub.app.get(MikroORM).config.get('pool') as { max: number };
    source.holdHealthChecks = true;
    // Differential syncs have no frequency rule, and tomorrow's are not run by the workers of later tests.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const creations = Promise.all(Array.from({ length: poolSize }, () => createSync(integrationId, 'Differential', { scheduledAt: tomorrow })));
    await eventually(async () => expect(source.waitingHealthChecks).toBe(poolSize), 10_000);
    // Answered while every check still waits (before, it waited for them to time out and fail).
    const listed = await call(`/api/datasyncs?integrationId=${integrationId}`);
    expect(((await listed.json()) as { total: number }).total).toBe(0);
    source.answerHealthChecks();
    expect((await creations).map((response) => response.status)).toEqual(Array(poolSize).fill(201));
    expect(((await (await call(`/api/datasyncs?integrationId=${integrationId}&pageSize=100`)).json()) as { total: number }).total).toBe(poolSize);
  });

  it('checks the frequency rules before asking the provider, and again under the lock before storing', async () => {
    const integrationId = await activeIntegration();
    const tomorrow = { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() };
    source.holdHealthChecks = true;
    try {
      // Two Full syncs that both pass the early check: their credential checks are answered once both have arrived.
      const racing = Promise.all([createSync(integrationId, 'Full', tomorrow), createSync(integrationId, 'Full', tomorrow)]);
      await eventually(async () => expect(source.waitingHealthChecks).toBe(2), 10_000);
      source.answerHealthChecks();
      expect((await racing).map((response) => response.status).sort()).toEqual([201, 409]);

      // Refused without asking the provider, which would keep the request waiting.
      source.holdHealthChecks = true;
      expect((await createSync(integrationId, 'Full', tomorrow)).status).toBe(409);
      expect(source.waitingHealthChecks).toBe(0);
    } finally {
      source.answerHealthChecks();
    }
  });

  it('imports Full, Incremental and Differential syncs with exact counts, logs bad records and marks vanished ones deleted', async () => {
    await startWorker();
    // By the database's clock, which stamps the records: nothing this test stores is older.
    const [{ at: testStart }] = (await hub.app.get(EntityManager).fork().getConnection().execute('SELECT clock_timestamp() AS at')) as Array<{ at: Date }>;
    const integrationId = await activeIntegration();
    seed(250);
    source.rawItems = [{ name: 'no id', updatedAt: '2026-01-01T00:00:00.000Z' }, { id: 'huge', updatedAt: '2026-01-01T00:00:00.000Z', blob: 'x'.repeat(4000) }];
    source.rateLimitOnce = true;

    const full = (await (await createSync(integrationId, 'Full')).json()) as Job;
    const fullDone = await finished(full.id);
    expect(fullDone).toMatchObject({ status: 'PartialSuccess', recordsTotal: 252, recordsProcessed: 250, recordsFailed: 2, recordsCreated: 250, recordsDeleted: 0 });
    expect(fullDone.progress.percent).toBe(100);
    const logs = (await (await call(`/api/datasyncs/${full.id}/logs?level=Error`)).json()) as { items: Array<{ externalId: string | null; message: string }>; total: number };
    expect(logs.total).toBe(2);
    expect(logs.items.map((l) => l.externalId)).toEqual(expect.arrayContaining([null, 'huge']));
    // The integration shows when its last sync ran to its end (§2.1.1), a PartialSuccess included.
    const lastSyncTime = async () => ((await (await call(`/api/integrations/${integrationId}`)).json()) as { lastSyncTime: string | null }).lastSyncTime;
    const afterFull = await eventually(async () => {
      const at = await lastSyncTime();
      expect(at).not.toBeNull();
      return at!;
    });

    // 10 changed, 5 new, everything newer than the last sync's high-water mark.
    source.rawItems = [];
    for (let i = 0; i < 10; i++) source.records.set(`c0000${i}`, { id: `c0000${i}`, name: `Changed ${i}`, updatedAt: '2026-02-01T00:00:00.000Z' });
    for (let i = 0; i < 5; i++) source.records.set(`n${i}`, { id: `n${i}`, name: `New ${i}`, updatedAt: '2026-02-01T00:00:00.000Z' });
    const incremental = (await (await createSync(integrationId, 'Incremental')).json()) as Job;
    expect(await finished(incremental.id)).toMatchObject({ status: 'Completed', recordsTotal: 15, recordsProcessed: 15, recordsCreated: 5, recordsUpdated: 10 });

    // Differential reads everything and writes only what changed; a stale version never overwrites a newer one.
    source.records.set('c00100', { id: 'c00100', name: 'Changed again', updatedAt: '2026-03-01T00:00:00.000Z' });
    source.records.set('c00000', { id: 'c00000', name: 'Stale', updatedAt: '2025-01-01T00:00:00.000Z' });
    const differential = (await (await createSync(integrationId, 'Differential')).json()) as Job;
    expect(await finished(differential.id)).toMatchObject({ status: 'Completed', recordsProcessed: 255, recordsUpdated: 1, recordsUnchanged: 254, recordsCreated: 0 });
    await eventually(async () => expect(new Date((await lastSyncTime())!).getTime()).toBeGreaterThan(new Date(afterFull).getTime()));

    const records = (await (await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=100&updatedSince=${encodeURIComponent(new Date(testStart).toISOString())}`)).json()) as {
      total: number;
      items: Array<{ externalId: string; data: { name: string } }>;
    };
    expect(records.total).toBe(255);
    const all = await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=100&page=3`);
    expect(((await all.json()) as { items: unknown[] }).items.length).toBe(55);
    // Past the last page the total is still the number of records (it read 0 before).
    const pastTheEnd = await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=100&page=4`);
    expect(await pastTheEnd.json()).toMatchObject({ items: [], total: 255, page: 4 });

    // A second Full on another integration shows deletions: records gone from the source are flagged.
    const other = await activeIntegration();
    seed(30);
    const first = (await (await createSync(other, 'Full')).json()) as Job;
    await finished(first.id);
    for (let i = 0; i < 7; i++) source.records.delete(`c0000${i}`);
    await ranDaysAgo(first.id, 2);
    const laterFull = (await (await createSync(other, 'Full')).json()) as Job & { status: string };
    const done = await finished(laterFull.id);
    expect(done).toMatchObject({ status: 'Completed', recordsProcessed: 23, recordsUnchanged: 23, recordsDeleted: 7 });
  });

  it('resumes a job from its checkpoint after its worker stops mid-job, with exact counts', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(400);
    // Batches of 100 (two pages of 50): the fourth batch hangs on its first page.
    source.holdAtCursor = '300';
    const job = (await (await createSync(integrationId, 'Full')).json()) as Job;
    await eventually(async () => {
      const current = (await (await call(`/api/datasyncs/${job.id}`)).json()) as Job;
      expect(current.recordsProcessed).toBe(300);
    }, 20_000, 100);
    await worker!.close();
    worker = undefined;
    source.releaseHeld();
    await startWorker();
    const done = await finished(job.id, 30_000);
    expect(done).toMatchObject({ status: 'Completed', recordsTotal: 400, recordsProcessed: 400, recordsCreated: 400, recordsFailed: 0 });
    expect(done.runs).toBe(2);
  }, 60_000);

  it('streams progress over Server-Sent Events until the job ends, and cancels a scheduled job', async () => {
    const integrationId = await activeIntegration();
    seed(300);
    const job = (await (await createSync(integrationId, 'Full')).json()) as Job;
    const stream = await hub.request(`/api/datasyncs/${job.id}/stream`, { key });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    await startWorker();
    const text = await stream.text();
    const events = text.split('\n\n').filter((e) => e.startsWith('event: progress'));
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(text).toContain('event: end');
    const last = JSON.parse(events[events.length - 1].split('data: ')[1]) as Job;
    expect(last).toMatchObject({ status: 'Completed', recordsProcessed: 300 });
    // Through the SDK: the stream of an ended job is its last state and `end`, as text; a missing job a typed 404.
    const sdk = hub.client(key).dataSync;
    expect(await sdk.streamDataSync({ id: job.id })).toMatch(/^event: progress\ndata: .*"status":"Completed".*\n\nevent: end\n/s);
    const missing = await sdk.streamDataSync({ id: randomUUID() }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).body).toMatchObject({ status: 404, code: expect.any(String) });

    const scheduled = (await (await createSync(integrationId, 'Incremental', { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() })).json()) as Job;
    const cancelled = await call(`/api/datasyncs/${scheduled.id}`, { method: 'DELETE' });
    expect(((await cancelled.json()) as Job).status).toBe('Cancelled');
    expect((await call(`/api/datasyncs/${scheduled.id}`, { method: 'DELETE' })).status).toBe(409);
    const list = (await (await call(`/api/datasyncs?integrationId=${integrationId}&status=Cancelled`)).json()) as { total: number };
    expect(list.total).toBe(1);
  });

  it('ends a stream when its key is revoked', async () => {
    const integrationId = await activeIntegration();
    const job = (await (await createSync(integrationId, 'Incremental', { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() })).json()) as Job;
    const reader = await hub.client(key).apiKeys.generateApiKey({ requestBody: { keyName: 'Stream reader', scopes: ['datasync:manage'] } });
    const abandon = new AbortController();
    const stream = await hub.request(`/api/datasyncs/${job.id}/stream`, { key: reader.key, signal: abandon.signal });
    expect(stream.status).toBe(200);
    const body = stream.text();
    await hub.client(key).apiKeys.revokeApiKey({ id: reader.id, reason: 'Left the team' });
    // The job never ends (it is scheduled a day ahead): only the revocation can end this stream, at its next poll.
    // The deadline is no measure of speed, only a bound on a stream that never ends, well inside the test's timeout.
    const deadline = setTimeout(() => abandon.abort(new Error('the stream outlived its key')), 20_000);
    const text = await body.finally(() => clearTimeout(deadline));
    expect(text).toContain('event: progress');
    expect(text).toMatch(/event: end\ndata: \{"reason":"The API key is invalid or revoked"\}/);
  });

  it('ends its open streams without `end` when the process shuts down, so that clients reconnect and the shutdown does not wait on them', async () => {
    const integrationId = await activeIntegration();
    const job = (await (await createSync(integrationId, 'Incremental', { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() })).json()) as Job;
    const abandon = new AbortController();
    const stream = await hub.request(`/api/datasyncs/${job.id}/stream`, { key, signal: abandon.signal });
    expect(stream.status).toBe(200);
    const body = stream.text();
    await eventually(async () => expect(hub.app.get(DataSyncStream)['open'].size).toBe(1), 10_000, 20);
    // What Nest calls before it closes the HTTP server, which waits for every connection.
    hub.app.get(DataSyncStream).beforeApplicationShutdown();
    // A bound on a stream that would otherwise never end (the job is a day ahead), not a measure of speed.
    const deadline = setTimeout(() => abandon.abort(new Error('the stream outlived the shutdown')), 10_000);
    const text = await body.finally(() => clearTimeout(deadline));
    expect(text).toContain('event: progress');
    expect(text).not.toContain('event: end');
  });

  it('keeps sync logs 180 days through the shared retention rule, deleting only older lines', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    const job = (await (await createSync(integrationId, 'Incremental', { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() })).json()) as Job;
    const connection = hub.app.get(EntityManager).fork().getConnection();
    const tenant = ((await connection.execute('SELECT tenant_id FROM data_sync_job WHERE id = ?', [job.id])) as Array<{ tenant_id: string }>)[0].tenant_id;
    const line = (ageDays: number) => connection.execute(
      `INSERT INTO data_sync_log (id, tenant_id, job_id, level, message, created_at) VALUES (?, ?, ?, 'Information', ?, now() - make_interval(days => ?))`,
      [randomUUID(), tenant, job.id, `aged ${ageDays} days`, ageDays],
    );
    await line(181);
    await line(179);
    expect(await worker!.get(RetentionScheduler).purgeNow('data-sync-log')).toBeGreaterThanOrEqual(1);
    const left = (await connection.execute('SELECT message FROM data_sync_log WHERE job_id = ?', [job.id])) as Array<{ message: string }>;
    expect(left.map((l) => l.message)).toEqual(['aged 179 days']);
  });

  /** A change made here (what a local write of a synced record does): new data, a new hash, local_modified_at. */
  async function changeLocally(integrationId: string, externalId: string, name: string, at: string): Promise<void> {
    const connection = hub.app.get(EntityManager).fork().getConnection();
    await connection.execute(
      `UPDATE synced_record SET data = jsonb_set(data, '{name}', to_jsonb(?::text)), local_modified_at = ?::timestamptz WHERE integration_id = ? AND external_id = ?`,
      [name, at, integrationId, externalId],
    );
    await connection.execute('UPDATE synced_record SET content_hash = md5(data::text) WHERE integration_id = ? AND external_id = ?', [integrationId, externalId]);
  }

  it('exports the records changed here since the last export, logging those the source refuses', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(20);
    await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    const now = new Date().toISOString();
    for (let i = 0; i < 5; i++) await changeLocally(integrationId, `c0000${i}`, `Local ${i}`, now);
    source.refuseWrites = new Set(['c00003']);
    source.writes = [];

    const created = await createSync(integrationId, 'Incremental', { direction: 'Export' });
    expect(created.status).toBe(201);
    const done = await finished(((await created.json()) as Job).id);
    expect(done).toMatchObject({ status: 'PartialSuccess', recordsTotal: 5, recordsProcessed: 4, recordsFailed: 1 });
    expect(source.writes.map((w) => `${w.method} ${w.id}`).sort()).toEqual(['PUT c00000', 'PUT c00001', 'PUT c00002', 'PUT c00003', 'PUT c00004']);
    expect(source.records.get('c00000')).toMatchObject({ id: 'c00000', name: 'Local 0' });
    expect(source.records.get('c00005')?.name).toBe('Contact 5');
    const logs = (await (await call(`/api/datasyncs/${done.id}/logs?level=Error`)).json()) as { items: Array<{ externalId: string | null }>; total: number };
    expect(logs.items.map((l) => l.externalId)).toEqual(['c00003']);

    // The next export sends only what is still due: the refused record, not those already exported.
    source.refuseWrites.clear();
    source.writes = [];
    const again = await finished(((await (await createSync(integrationId, 'Differential', { direction: 'Export' })).json()) as Job).id);
    expect(again).toMatchObject({ status: 'Completed', recordsProcessed: 1, recordsFailed: 0 });
    expect(source.writes.map((w) => w.id)).toEqual(['c00003']);
  });

  it('runs a Bidirectional sync: imports first, keeps the newer side of each record (BR-DS-07), then exports the local changes that won', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(10);
    await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    await changeLocally(integrationId, 'c00001', 'Local 1', new Date().toISOString());
    await changeLocally(integrationId, 'c00002', 'Local 2', '2026-01-15T00:00:00.000Z');
    source.records.set('c00001', { id: 'c00001', name: 'Source 1', updatedAt: '2026-01-10T00:00:00.000Z' }); // older than the local change
    source.records.set('c00002', { id: 'c00002', name: 'Source 2', updatedAt: '2026-02-01T00:00:00.000Z' }); // newer than the local change
    source.records.set('c00005', { id: 'c00005', name: 'Source 5', updatedAt: '2026-02-01T00:00:00.000Z' });
    source.writes = [];

    const job = (await (await createSync(integrationId, 'Incremental', { direction: 'Bidirectional' })).json()) as Job;
    expect(await finished(job.id)).toMatchObject({ status: 'Completed', recordsProcessed: 4, recordsUpdated: 2, recordsUnchanged: 1, recordsFailed: 0 });
    expect(source.writes.map((w) => w.id)).toEqual(['c00001']);
    expect(source.records.get('c00001')?.name).toBe('Local 1');
    const stored = (await (await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=100`)).json()) as { items: Array<{ externalId: string; data: { name: string } }> };
    const names = Object.fromEntries(stored.items.map((r) => [r.externalId, r.data.name]));
    expect(names).toMatchObject({ c00001: 'Local 1', c00002: 'Source 2', c00005: 'Source 5', c00003: 'Contact 3' });
  });

  it('keeps a local change not yet exported when the source gives no modification times, and exports it (BR-DS-07)', async () => {
    await startWorker();
    // No updatedAtField: nothing tells which side changed last.
    const integrationId = await activeIntegration({ updatedAtField: undefined, updatedSinceParam: undefined });
    seed(3);
    await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    await changeLocally(integrationId, 'c00001', 'Local 1', new Date().toISOString());
    source.records.set('c00002', { id: 'c00002', name: 'Source 2', updatedAt: '2026-02-01T00:00:00.000Z' });
    source.writes = [];

    const job = (await (await createSync(integrationId, 'Incremental', { direction: 'Bidirectional' })).json()) as Job;
    expect(await finished(job.id)).toMatchObject({ status: 'Completed', recordsUpdated: 1, recordsFailed: 0 });
    expect(source.writes.map((w) => w.id)).toEqual(['c00001']);
    expect(source.records.get('c00001')?.name).toBe('Local 1');
    const stored = (await (await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=100`)).json()) as { items: Array<{ externalId: string; data: { name: string } }> };
    expect(Object.fromEntries(stored.items.map((r) => [r.externalId, r.data.name]))).toMatchObject({ c00000: 'Contact 0', c00001: 'Local 1', c00002: 'Source 2' });
  });

  it('resumes an export after its worker stops mid-job, sending no committed batch again', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(120);
    await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    const now = new Date().toISOString();
    for (let i = 0; i < 120; i++) await changeLocally(integrationId, `c${String(i).padStart(5, '0')}`, `Local ${i}`, now);
    source.writes = [];
    // Export batches of 50 (the page size): the second batch hangs on one record.
    source.holdWriteOf = 'c00070';
    const job = (await (await createSync(integrationId, 'Incremental', { direction: 'Export' })).json()) as Job;
    await eventually(async () => {
      const current = (await (await call(`/api/datasyncs/${job.id}`)).json()) as Job;
      expect(current.recordsProcessed).toBe(50);
      expect(source.writes.some((w) => w.id === 'c00070')).toBe(true);
    }, 20_000, 100);
    await worker!.close();
    worker = undefined;
    source.releaseHeld();
    await startWorker();
    const done = await finished(job.id, 30_000);
    expect(done).toMatchObject({ status: 'Completed', recordsTotal: 120, recordsProcessed: 120, recordsFailed: 0, runs: 2 });
    const writesOf = (id: string) => source.writes.filter((w) => w.id === id).length;
    for (let i = 0; i < 50; i++) expect(writesOf(`c${String(i).padStart(5, '0')}`)).toBe(1);
    expect(source.records.get('c00119')?.name).toBe('Local 119');
  }, 60_000);
  it('pushes records written here through the API (PUT …/records/{entity}/{externalId}) with the next export', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(3);
    await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    const put = (externalId: string, body: unknown) => call(`/api/integrations/${integrationId}/records/contacts/${externalId}`, { method: 'PUT', body: JSON.stringify(body) });
    const [{ at: beforeWrites }] = (await hub.app.get(EntityManager).fork().getConnection().execute('SELECT clock_timestamp() AS at')) as Array<{ at: Date }>;

    const changed = await put('c00001', { data: { id: 'c00001', name: 'Changed here', updatedAt: '2026-01-01T00:00:00.000Z' } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ externalId: 'c00001', created: false, localModifiedAt: expect.any(String) });
    const added = await put('n00001', { data: { id: 'n00001', name: 'New here', updatedAt: '2026-01-01T00:00:00.000Z' } });
    expect(await added.json()).toMatchObject({ created: true });
    const refused = await put('n00002', { data: 'not an object' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: Array<{ field: string }> }).errors[0].field).toBe('data');
    // Data PostgreSQL would store altered, or over the size an imported record may have: refused, naming data.
    const nul = await put('n00004', { data: { id: 'n00004', name: 'a\u0000b' } });
    expect(nul.status).toBe(422);
    expect(await nul.json()).toMatchObject({ code: 'datasync.unstorable_record', errors: [{ field: 'data' }] });
    const large = await put('n00005', { data: { id: 'n00005', notes: 'x'.repeat(3000) } });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ code: 'datasync.record_too_large', errors: [{ field: 'data' }] });
    // An entity no sync resource carries would be stored and never exported: refused, naming it.
    const elsewhere = await call(`/api/integrations/${integrationId}/records/Contacts/n00003`, { method: 'PUT', body: JSON.stringify({ data: { id: 'n00003' } }) });
    expect(elsewhere.status).toBe(422);
    expect(await elsewhere.json()).toMatchObject({ code: 'datasync.not_syncable', errors: [{ field: 'entity', messages: [expect.stringContaining('its entities are contacts')] }] });
    // updatedSince lists the records stored or changed since: the changed one too (before: only the added one).
    const since = await call(`/api/integrations/${integrationId}/records?entity=contacts&updatedSince=${encodeURIComponent(new Date(beforeWrites).toISOString())}`);
    const sinceWrites = (await since.json()) as { items: Array<{ externalId: string; data: { name: string } }>; total: number };
    expect(sinceWrites.items.map((r) => `${r.externalId} ${r.data.name}`).sort()).toEqual(['c00001 Changed here', 'n00001 New here']);

    source.writes = [];
    const done = await finished(((await (await createSync(integrationId, 'Incremental', { direction: 'Export' })).json()) as Job).id);
    expect(done).toMatchObject({ status: 'Completed', recordsProcessed: 2, recordsFailed: 0 });
    expect(source.writes.map((w) => w.id).sort()).toEqual(['c00001', 'n00001']);
    expect(source.records.get('c00001')).toMatchObject({ name: 'Changed here' });
  });
  it('flags as deleted only what a Full import no longer finds: not local changes still to export, records it pushed, or records it could not import', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(5);
    source.records.set('too-big', { id: 'too-big', name: 'Small for now', updatedAt: '2026-01-01T00:00:00.000Z' });
    source.records.set('bad-date', { id: 'bad-date', name: 'Dated for now', updatedAt: '2026-01-01T00:00:00.000Z' });
    const full = async (direction = 'Import') => {
      const job = await finished(((await (await createSync(integrationId, 'Full', { direction })).json()) as Job).id);
      await ranDaysAgo(job.id, 2); // so that the next Full may run now (BR-DS-01)
      return job;
    };
    await full();
    const put = (externalId: string) => call(`/api/integrations/${integrationId}/records/contacts/${externalId}`, { method: 'PUT', body: JSON.stringify({ data: { id: externalId, name: 'Added here', updatedAt: '2026-01-01T00:00:00.000Z' } }) });
    const deletedOnes = async () => {
      const page = (await (await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=100`)).json()) as { items: Array<{ externalId: string; deleted: boolean }> };
      return page.items.filter((r) => r.deleted).map((r) => r.externalId).sort();
    };

    // Added here, not exported yet; two records the source still has but this import refuses; one really gone.
    expect((await put('new-1')).status).toBe(200);
    source.records.set('too-big', { id: 'too-big', name: 'x'.repeat(4000), updatedAt: '2026-02-01T00:00:00.000Z' });
    source.records.set('bad-date', { id: 'bad-date', name: 'Dated', updatedAt: 'not a date' });
    source.records.delete('c00000');
    const imported = await full();
    expect(imported).toMatchObject({ status: 'PartialSuccess', recordsFailed: 2, recordsDeleted: 1 });
    expect(await deletedOnes()).toEqual(['c00000']);

    // A Full Bidirectional run pushes the local additions after its import, and must not flag them at its end.
    expect((await put('new-2')).status).toBe(200);
    source.writes = [];
    const both = await full('Bidirectional');
    expect(source.writes.map((w) => w.id).sort()).toEqual(['new-1', 'new-2']);
    expect(both).toMatchObject({ recordsFailed: 2, recordsDeleted: 0 });
    expect(await deletedOnes()).toEqual(['c00000']);
  });
  it('starts an Incremental from what the last sync that read to its end stored, not from a newer record a cancelled one stored', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(300);
    expect(await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id)).toMatchObject({ status: 'Completed', recordsCreated: 300 });
    // Every record changes at the source; one of the first batch last of all.
    for (let i = 0; i < 300; i++) {
      const id = `c${String(i).padStart(5, '0')}`;
      source.records.set(id, { id, name: `Changed ${i}`, updatedAt: i === 10 ? '2026-03-01T00:00:00.000Z' : '2026-02-01T00:00:00.000Z' });
    }
    // The first Incremental stops after its first batch (cancelled by the user; a failing source does the same).
    source.holdAtCursor = '100';
    const first = (await (await createSync(integrationId, 'Incremental')).json()) as Job;
    await eventually(async () => expect(((await (await call(`/api/datasyncs/${first.id}`)).json()) as Job).recordsProcessed).toBe(100), 20_000, 100);
    expect((await call(`/api/datasyncs/${first.id}`, { method: 'DELETE' })).status).toBe(200);
    source.releaseHeld();
    source.holdAtCursor = null;
    // The batch under way when the cancellation came still commits; the job stops before the next one.
    const cancelled = await finished(first.id);
    expect(cancelled.status).toBe('Cancelled');
    expect(cancelled.recordsProcessed).toBeLessThan(300);
    // It synced a batch, so it counts against BR-DS-02: cancelling is no way round the hourly limit.
    const tooSoon = await createSync(integrationId, 'Incremental');
    expect(tooSoon.status).toBe(409);
    expect(((await tooSoon.json()) as { code: string }).code).toBe('datasync.too_frequent');
    await ranDaysAgo(first.id, 1);

    // The next one reads from where the Full import stood: the records the cancelled one never reached too.
    const second = await finished(((await (await createSync(integrationId, 'Incremental')).json()) as Job).id);
    expect(second).toMatchObject({ status: 'Completed', recordsProcessed: 300, recordsUpdated: 300 - cancelled.recordsProcessed, recordsUnchanged: cancelled.recordsProcessed });
    const names: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const stored = (await (await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=100&page=${page}`)).json()) as { items: Array<{ data: { name: string } }> };
      names.push(...stored.items.map((r) => r.data.name));
    }
    expect(names.filter((name) => !name.startsWith('Changed'))).toEqual([]);
  }, 60_000);

  it('pages the records by cursor so that a record changed behind the reader is read again, not the next one skipped', async () => {
    const integrationId = await activeIntegration();
    const ids = Array.from({ length: 30 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    for (const externalId of ids) {
      expect((await call(`/api/integrations/${integrationId}/records/contacts/${externalId}`, { method: 'PUT', body: JSON.stringify({ data: { id: externalId } }) })).status).toBe(200);
    }
    type RecordPage = { items: Array<{ externalId: string }>; total: number; nextCursor: string | null };
    const pageAfter = async (after: string | null): Promise<RecordPage> =>
      (await (await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=10${after ? `&after=${after}` : ''}`)).json()) as RecordPage;
    const seen: string[] = [];
    let page = await pageAfter(null);
    seen.push(...page.items.map((r) => r.externalId));
    // A record already read changes: it moves to the end of the order. By offset, p10 would now be skipped.
    await call(`/api/integrations/${integrationId}/records/contacts/p03`, { method: 'PUT', body: JSON.stringify({ data: { id: 'p03', changed: true } }) });
    while (page.nextCursor) {
      page = await pageAfter(page.nextCursor);
      expect(page.total).toBe(30);
      seen.push(...page.items.map((r) => r.externalId));
    }
    expect([...new Set(seen)].sort()).toEqual(ids);
    expect(seen.filter((id) => id === 'p03')).toHaveLength(2);
    // The longest ids still page on: 300 characters of a script written in three bytes each.
    const longId = '中'.repeat(300);
    expect((await call(`/api/integrations/${integrationId}/records/contacts/${encodeURIComponent(longId)}`, { method: 'PUT', body: JSON.stringify({ data: { id: longId } }) })).status).toBe(200);
    const ending = (await (await call(`/api/integrations/${integrationId}/records?entity=contacts&pageSize=1&page=31`)).json()) as RecordPage;
    expect(ending.items.map((r) => r.externalId)).toEqual([longId]);
    expect((await pageAfter(ending.nextCursor)).items).toEqual([]);
    const cursorOf = (syncedAt: string) => Buffer.from(JSON.stringify([syncedAt, 'p01'])).toString('base64url');
    for (const after of ['not-a-cursor', cursorOf('yesterday'), cursorOf('2026-13-45 00:00:00+00'), cursorOf('0000-01-01 00:00:00+00'), cursorOf('2026-01-01 00:00:00+99'), cursorOf('2026-12-06 21:05:23+16')]) {
      const refused = await call(`/api/integrations/${integrationId}/records?entity=contacts&after=${after}`);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['after']);
    }
  });

  it('marks a record of a resource paged by offset deleted only when two Full imports in a row miss it', async () => {
    await startWorker();
    const integrationId = await activeIntegration({ pagination: { type: 'offset', offsetParam: 'cursor' } });
    seed(200);
    const full = async (): Promise<Job> => finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    const deletedIds = async () =>
      (
        await hub.app.get(EntityManager).fork().getConnection().execute<Array<{ external_id: string }>>(
          'SELECT external_id FROM synced_record WHERE integration_id = ? AND deleted ORDER BY external_id',
          [integrationId],
        )
      ).map((row) => row.external_id);
    const warnings = async (jobId: string) =>
      ((await (await call(`/api/datasyncs/${jobId}/logs?level=Warning`)).json()) as { items: Array<{ message: string }> }).items.map((l) => l.message);
    const first = await full();
    expect(first).toMatchObject({ status: 'Completed', recordsCreated: 200 });
    await ranDaysAgo(first.id, 6);

    // The source deletes its first record while the read waits at offset 100: every record after it moves back a
    // place, so c00100 is on no page this run reads, though the source still has it.
    source.holdAtCursor = '100';
    const shiftedRun = ((await (await createSync(integrationId, 'Full')).json()) as Job).id;
    await eventually(async () => expect(source.pagesServed).toBeGreaterThanOrEqual(first.recordsProcessed / 50 + 2), 15_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the request for offset 100 is held by then
    source.records.delete('c00000');
    source.releaseHeld();
    const shifted = await finished(shiftedRun);
    expect(shifted).toMatchObject({ status: 'Completed', recordsProcessed: 199, recordsDeleted: 0 });
    expect(await deletedIds()).toEqual([]);
    expect(await warnings(shiftedRun)).toEqual([expect.stringMatching(/^1 record\(s\) of contacts not seen were not marked deleted: .*two Full imports in a row miss it/)]);
    await ranDaysAgo(shiftedRun, 4);

    // The next one reads c00100 again and misses c00000 for the first time; the one after misses it again.
    const missedOnce = await full();
    expect(missedOnce).toMatchObject({ status: 'Completed', recordsProcessed: 199, recordsDeleted: 0 });
    await ranDaysAgo(missedOnce.id, 2);
    const missedTwice = await full();
    expect(missedTwice).toMatchObject({ status: 'Completed', recordsProcessed: 199, recordsDeleted: 1 });
    expect(await deletedIds()).toEqual(['c00000']);
  }, 60_000);

  it('marks nothing deleted when a Full import cannot tell what the source still has: every record failed, or one came without an id', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(20);
    const first = await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    expect(first).toMatchObject({ status: 'Completed', recordsCreated: 20 });
    await ranDaysAgo(first.id, 2);
    const warnings = async (jobId: string) =>
      ((await (await call(`/api/datasyncs/${jobId}/logs?level=Warning`)).json()) as { items: Array<{ message: string }> }).items.map((l) => l.message);

    // The source renames its id field: every record arrives without `id`, and the run fails as a whole.
    source.records.clear();
    source.rawItems = Array.from({ length: 20 }, (_, i) => ({ contactId: `c${String(i).padStart(5, '0')}`, name: `Contact ${i}`, updatedAt: '2026-01-01T00:00:00.000Z' }));
    const renamed = await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    expect(renamed).toMatchObject({ status: 'Failed', recordsFailed: 20, recordsDeleted: 0 });
    expect(await warnings(renamed.id)).toEqual([expect.stringMatching(/^No record was marked deleted: every one of the 20 records/)]);
    await ranDaysAgo(renamed.id, 2);

    // Most records come back, one still without an id, and five are really gone: which ones is not known.
    seed(15);
    source.rawItems = [{ name: 'no id', updatedAt: '2026-01-01T00:00:00.000Z' }];
    const partial = await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    expect(partial).toMatchObject({ status: 'PartialSuccess', recordsFailed: 1, recordsDeleted: 0 });
    expect(await warnings(partial.id)).toEqual([expect.stringMatching(/^No record was marked deleted: 1 record\(s\) came without an id/)]);
    source.rawItems = [];
  });

  it('starts the recurring sync an integration asks for (sync.schedule), once per period across scheduler runs, past a malformed one', async () => {
    // Stored first, so the scheduler meets it first: it used to throw there and start no recurring sync at all.
    const malformedId = await activeIntegration({}, { schedule: null });
    const integrationId = await activeIntegration({}, { schedule: { syncType: 'Incremental', everyMinutes: 60 } });
    seed(5);
    await startWorker(); // its scheduler runs every second in this suite
    let schedulerRuns = 0;
    worker!.get<Queue>(getQueueToken(MAINTENANCE_QUEUE)).on('completed', (run: BullJob) => {
      if (run.name === DATA_SYNC_SCHEDULER_JOB) schedulerRuns++;
    });
    const jobsOf = async () => ((await (await call(`/api/datasyncs?integrationId=${integrationId}`)).json()) as { items: Job[] }).items;
    const [job] = await eventually(async () => {
      const jobs = await jobsOf();
      expect(jobs).toHaveLength(1);
      return jobs;
    }, 15_000, 200);
    expect(job).toMatchObject({ syncType: 'Incremental', direction: 'Import' });
    await finished(job.id);
    // That no second sync starts cannot be seen as an event; scheduler runs can. Three more of them end, the last
    // two begun after the job ended: each has seen the finished job and decided, and none started another.
    const runsBefore = schedulerRuns;
    await eventually(async () => expect(schedulerRuns).toBeGreaterThanOrEqual(runsBefore + 3), 20_000, 100);
    expect(await jobsOf()).toHaveLength(1);
    expect(((await (await call(`/api/datasyncs?integrationId=${malformedId}`)).json()) as { items: Job[] }).items).toEqual([]);
  }, 60_000);
  const disable = (integrationId: string) => call(`/api/integrations/${integrationId}`, { method: 'PUT', body: JSON.stringify({ isEnabled: false }) });
  const disconnect = (integrationId: string) => call(`/api/integrations/${integrationId}`, { method: 'DELETE' });

  it('refuses to sync a disabled integration, one disabled while the provider was asked too, and fails a job queued before without asking the source', async () => {
    const integrationId = await activeIntegration();
    seed(10);
    // Queued while the integration is enabled; no worker runs yet.
    const queued = (await (await createSync(integrationId, 'Full')).json()) as Job;
    source.holdHealthChecks = true;
    try {
      const racing = createSync(integrationId, 'Incremental');
      await eventually(async () => expect(source.waitingHealthChecks).toBe(1), 10_000);
      expect((await disable(integrationId)).status).toBe(200);
      // Refused before the provider is asked (which would keep the request waiting here).
      const refused = await createSync(integrationId, 'Incremental');
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await refused.json()).toMatchObject({ code: 'datasync.integration_disabled', errors: [{ field: 'integrationId' }] });
      expect(source.waitingHealthChecks).toBe(1);
      // Disabled while the provider checked its credentials: the check under the lock refuses it.
      source.answerHealthChecks();
      const refusedUnderLock = await racing;
      expect(refusedUnderLock.status).toBe(422);
      expect(await refusedUnderLock.json()).toMatchObject({ code: 'datasync.integration_disabled', errors: [{ field: 'integrationId' }] });
    } finally {
      source.answerHealthChecks();
    }

    const pagesServed = source.pagesServed;
    await startWorker();
    expect(await finished(queued.id)).toMatchObject({ status: 'Failed', recordsProcessed: 0, errorMessage: 'The integration is disabled; syncs need an enabled integration' });
    expect(source.pagesServed).toBe(pagesServed);
  });

  it.each([
    ['disconnected', disconnect],
    ['disabled', disable],
  ] as const)('fails a running sync at its next batch when its integration is %s meanwhile, keeping the batches stored and flagging nothing deleted', async (what, withdraw) => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(300);
    const first = await finished(((await (await createSync(integrationId, 'Full')).json()) as Job).id);
    expect(first).toMatchObject({ status: 'Completed', recordsCreated: 300 });
    await ranDaysAgo(first.id, 2); // so that the next Full may run now (BR-DS-01)
    // Gone at the source: a Full import that went on to its end would flag these deleted.
    for (let i = 250; i < 300; i++) source.records.delete(`c${String(i).padStart(5, '0')}`);

    // Batches of 100: the second waits for its first page while the integration is withdrawn.
    source.holdAtCursor = '100';
    const job = (await (await createSync(integrationId, 'Full')).json()) as Job;
    await eventually(async () => expect(((await (await call(`/api/datasyncs/${job.id}`)).json()) as Job).recordsProcessed).toBe(100), 20_000, 100);
    expect((await withdraw(integrationId)).status).toBe(200);
    source.releaseHeld();

    // The batch under way still commits; the job stops after it, before it asks the source for the third.
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: 'Failed', recordsProcessed: 200, recordsDeleted: 0, errorMessage: `The integration was ${what} during the sync` });
    const [stored] = await hub.app.get(EntityManager).fork().getConnection().execute<Array<{ total: number; deleted: number }>>(
      'SELECT count(*)::int AS total, (count(*) FILTER (WHERE deleted))::int AS deleted FROM synced_record WHERE integration_id = ?',
      [integrationId],
    );
    expect(stored).toEqual({ total: 300, deleted: 0 });
  }, 60_000);

  it('starts an Incremental no later than the last sync that read to its end started, so a change behind its reading is not missed for good', async () => {
    await startWorker();
    const integrationId = await activeIntegration();
    seed(300);
    // The source pages by id. A Full import has stored its first 100 records when two records change: one it has
    // passed already, then one it is still to read, each stamped after the import started.
    source.holdAtCursor = '100';
    const full = (await (await createSync(integrationId, 'Full')).json()) as Job;
    await eventually(async () => expect(((await (await call(`/api/datasyncs/${full.id}`)).json()) as Job).recordsProcessed).toBe(100), 20_000, 100);
    const [{ started_at: startedAt }] = await hub.app.get(EntityManager).fork().getConnection().execute<Array<{ started_at: Date }>>(
      'SELECT started_at FROM data_sync_job WHERE id = ?',
      [full.id],
    );
    const afterStart = (seconds: number) => new Date(new Date(startedAt).getTime() + seconds * 1000).toISOString();
    source.records.set('c00010', { id: 'c00010', name: 'Changed behind the import', updatedAt: afterStart(1) });
    source.records.set('c00250', { id: 'c00250', name: 'Changed ahead of the import', updatedAt: afterStart(2) });
    source.releaseHeld();
    expect(await finished(full.id)).toMatchObject({ status: 'Completed', recordsProcessed: 300 });

    // Both changes are read again; storing the one the Full import already had changes nothing (an idempotent upsert).
    const incremental = await finished(((await (await createSync(integrationId, 'Incremental')).json()) as Job).id);
    expect(incremental).toMatchObject({ status: 'Completed', recordsProcessed: 2, recordsUpdated: 1, recordsUnchanged: 1, recordsCreated: 0 });
    const [stored] = await hub.app.get(EntityManager).fork().getConnection().execute<Array<{ name: string }>>(
      `SELECT data->>'name' AS name FROM synced_record WHERE integration_id = ? AND external_id = 'c00010'`,
      [integrationId],
    );
    expect(stored.name).toBe('Changed behind the import');
  }, 60_000);
});
