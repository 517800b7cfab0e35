/**
 * bench/sync: a Full import of 100,000 records from a local fake REST source (cursor pages of 1,000) into an
 * empty synced_record table, then an Incremental import after 10% of them changed, through the API and the
 * worker of one service (`PROCESS_ROLE=all`). `npm run bench:sync` (add `--no-build` when dist/ is current).
 *
 * Rates are the job's own: records processed over its startedAt → completedAt. The ceiling is measured in the
 * same run: the same rows (same JSON) upserted with `pg` as plain multi-row `INSERT … ON CONFLICT DO UPDATE`
 * statements of 1,000 rows into a scratch table of the bench database, first into the empty table (as the
 * Full) and then the changed 10% again (as the Incremental). Targets: at least 50% of the ceiling; the
 * service's peak resident memory under 400 MB (pages are streamed, never the whole source in memory).
 * Figures only: exits 0 whatever they are. The source runs in this process on 127.0.0.1; nothing else is called.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Client } from 'pg';
import { call, formatMb, HOST, peakRssMb, Resources, runBench, sleep, startService } from './support/bench-service';

const RECORDS = 100_000;
const PAGE_SIZE = 1_000;
const CHANGED_EVERY = 10; // 10% of the records change before the Incremental
const CEILING_BATCH = 1_000;
const JOB_TIMEOUT_MS = 10 * 60_000;
const WATCHDOG_MS = 30 * 60_000;
const TARGETS = { overCeiling: 0.5, peakRssMb: 400 };
const FIRST_VERSION_AT = '2026-01-01T00:00:00.000Z';

interface SourceRecord {
  id: string;
  updatedAt: string;
  [field: string]: unknown;
}

interface JobView {
  id: string;
  status: string;
  recordsTotal: number;
  recordsProcessed: number;
  recordsFailed: number;
  recordsCreated: number;
  recordsUpdated: number;
  recordsUnchanged: number;
  startedAt: string | null;
  completedAt: string | null;
}

/** A contact of roughly 300 bytes of JSON, as a CRM would return it. */
function contact(i: number, updatedAt: string, revision = 0): SourceRecord {
  const id = `c${String(i).padStart(6, '0')}`;
  return {
    id,
    updatedAt,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    email: `contact${i}@example.test`,
    phone: `+1555${String(i).padStart(7, '0')}`,
    company: `Company ${i % 997}`,
    lifecycleStage: ['lead', 'customer', 'opportunity'][i % 3],
    score: (i * 7919) % 100,
    revision,
    address: { street: `${i} Main Street`, city: `City ${i % 101}`, country: 'US' },
  };
}

/**
 * The fake source: GET /health, GET /contacts?limit&cursor&updatedSince (strictly after), answering
 * `{ data, nextCursor, total }` in id order. The records live here, in the bench process.
 */
class BenchSource {
  records: SourceRecord[] = [];
  pagesServed = 0;
  private server: Server | undefined;
  private filtered = new Map<string, SourceRecord[]>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, HOST, resolve));
    return `http://${HOST}:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  replace(records: SourceRecord[]): void {
    this.records = records;
    this.filtered.clear();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, `http://${HOST}`);
    if (url.pathname === '/health') return json(res, { ok: true });
    if (url.pathname !== '/contacts') {
      res.writeHead(404).end();
      return;
    }
    const since = url.searchParams.get('updatedSince') ?? '';
    let all = this.filtered.get(since);
    if (!all) {
      all = since ? this.records.filter((r) => r.updatedAt > since) : this.records;
      this.filtered.set(since, all);
    }
    const offset = Number(url.searchParams.get('cursor') ?? '0');
    const limit = Number(url.searchParams.get('limit') ?? String(PAGE_SIZE));
    this.pagesServed++;
    json(res, { data: all.slice(offset, offset + limit), nextCursor: offset + limit < all.length ? String(offset + limit) : null, total: all.length });
  }
}

function json(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function run(resources: Resources): Promise<void> {
  const source = new BenchSource();
  source.replace(Array.from({ length: RECORDS }, (_, i) => contact(i, FIRST_VERSION_AT)));
  const sourceUrl = await source.start();
  try {
    await measureAll(resources, source, sourceUrl);
  } finally {
    await source.stop();
  }
}

async function measureAll(resources: Resources, source: BenchSource, sourceUrl: string): Promise<void> {
  console.log(`bench/sync: ${RECORDS.toLocaleString('en')} records, pages of ${PAGE_SIZE.toLocaleString('en')}, source ${sourceUrl} (in the bench process)`);
  const { url, pid, bootstrapKey } = await startService(resources, {
    ALLOW_LOOPBACK_TARGETS: 'true',
    DATA_SYNC_DEFAULT_PAGE_SIZE: String(PAGE_SIZE),
    DATA_SYNC_STREAM_POLL_MS: '1000',
  });
  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const answer = await call(method, `${url}${path}`, { apiKey: bootstrapKey, json: body });
    if (answer.status >= 300) throw new Error(`${method} ${path} answered ${answer.status}: ${answer.text}`);
    return JSON.parse(answer.text) as unknown;
  };

  // A Custom integration describing the source, made Active by a successful test (as the e2e tests do).
  const { id: integrationId } = (await api('POST', '/api/integrations', {
    name: 'Bench sync source',
    integrationType: 'CustomAPI',
    provider: 'Custom',
    configuration: {
      baseUrl: sourceUrl,
      healthPath: '/health',
      sync: {
        resources: [
          { entity: 'contacts', path: '/contacts', idField: 'id', updatedAtField: 'updatedAt', recordsField: 'data', totalField: 'total', updatedSinceParam: 'updatedSince', pageSize: PAGE_SIZE, pagination: { type: 'cursor', nextCursorField: 'nextCursor' } },
        ],
      },
    },
  })) as { id: string };
  await api('POST', `/api/integrations/${integrationId}/test`);

  const runSync = async (syncType: 'Full' | 'Incremental'): Promise<{ job: JobView; wallSeconds: number }> => {
    process.stdout.write(`${syncType} import ... `);
    const started = Date.now();
    const created = (await api('POST', '/api/datasyncs', { integrationId, syncType, direction: 'Import' })) as JobView;
    const deadline = started + JOB_TIMEOUT_MS;
    for (;;) {
      const job = (await api('GET', `/api/datasyncs/${created.id}`)) as JobView;
      if (['Completed', 'PartialSuccess', 'Failed', 'Cancelled'].includes(job.status)) {
        const wallSeconds = (Date.now() - started) / 1000;
        console.log(`${job.status} in ${wallSeconds.toFixed(1)} s`);
        if (job.status === 'Failed' || job.status === 'Cancelled') throw new Error(`the ${syncType} sync ended ${job.status}: ${JSON.stringify(job)}`);
        return { job, wallSeconds };
      }
      if (Date.now() > deadline) throw new Error(`the ${syncType} sync did not finish within ${JOB_TIMEOUT_MS / 1000} s: ${JSON.stringify(job)}`);
      await sleep(100);
    }
  };

  const full = await runSync('Full');
  const fullRss = peakRssMb(pid);

  // 10% of the records change (a later updatedAt and a new revision), so the Incremental reads exactly those.
  const later = '2026-02-01T00:00:00.000Z';
  const changed = source.records.map((record, i) => (i % CHANGED_EVERY === 0 ? contact(i, later, 1) : record));
  source.replace(changed);
  const incremental = await runSync('Incremental');
  const peakMb = peakRssMb(pid);

  const ceiling = await measureCeiling(resources.database, changed);

  const rate = (job: JobView) => job.recordsProcessed / ((new Date(job.completedAt!).getTime() - new Date(job.startedAt!).getTime()) / 1000);
  const fullRate = rate(full.job);
  const incrementalRate = rate(incremental.job);
  const line = (label: string, value: number, suffix = '/s') => `${label.padEnd(52)}${Math.round(value).toLocaleString('en').padStart(9)} ${suffix}`;
  const verdict = (ratio: number) => `${ratio.toFixed(2).padStart(9)}      target >= ${TARGETS.overCeiling}   ${ratio >= TARGETS.overCeiling ? 'PASS' : 'MISS'}`;
  const counts = (job: JobView) => `processed ${job.recordsProcessed}, failed ${job.recordsFailed}, created ${job.recordsCreated}, updated ${job.recordsUpdated}, unchanged ${job.recordsUnchanged}`;
  console.log('');
  console.log(`Full:        ${counts(full.job)}; ${full.wallSeconds.toFixed(1)} s from POST to finished; ${formatMb(fullRss)} peak RSS after it`);
  console.log(`Incremental: ${counts(incremental.job)}; ${incremental.wallSeconds.toFixed(1)} s from POST to finished`);
  console.log(`source pages served: ${source.pagesServed}`);
  console.log('');
  console.log(line('Full import (job start to end)', fullRate));
  console.log(line(`ceiling: pg INSERT … ON CONFLICT, ${CEILING_BATCH}/stmt, new`, ceiling.insertRate));
  console.log(line('Incremental import, 10% changed', incrementalRate));
  console.log(line(`ceiling: pg INSERT … ON CONFLICT, ${CEILING_BATCH}/stmt, update`, ceiling.updateRate));
  console.log('');
  console.log(`Full / ceiling                                      ${verdict(fullRate / ceiling.insertRate)}`);
  console.log(`Incremental / ceiling                               ${verdict(incrementalRate / ceiling.updateRate)}`);
  console.log(`service peak RSS                                    ${formatMb(peakMb).padStart(9)}   target < ${TARGETS.peakRssMb} MB ${peakMb !== undefined && peakMb < TARGETS.peakRssMb ? 'PASS' : 'MISS'}`);
}

/**
 * The same rows (the first version of every record, then the changed 10%) upserted with `pg` as multi-row
 * `INSERT … ON CONFLICT DO UPDATE` statements into a scratch table shaped like synced_record's key and payload.
 */
async function measureCeiling(database: string, changed: SourceRecord[]): Promise<{ insertRate: number; updateRate: number }> {
  process.stdout.write('ceiling: plain pg upserts ... ');
  const client = new Client({ host: HOST, port: 5432, user: 'postgres', database });
  await client.connect();
  try {
    await client.query(`CREATE TABLE bench_sync_ceiling (
      integration_id uuid NOT NULL, entity text NOT NULL, external_id text NOT NULL,
      data jsonb NOT NULL, source_modified_at timestamptz, content_hash text NOT NULL, synced_at timestamptz NOT NULL,
      PRIMARY KEY (integration_id, entity, external_id))`);
    const integrationId = '00000000-0000-4000-8000-000000000000';
    const upsert = async (records: SourceRecord[]): Promise<number> => {
      const started = performance.now();
      for (let offset = 0; offset < records.length; offset += CEILING_BATCH) {
        const chunk = records.slice(offset, offset + CEILING_BATCH);
        const values: unknown[] = [];
        const tuples = chunk.map((record, i) => {
          values.push(record.id, JSON.stringify(record), record.updatedAt);
          const p = i * 3;
          return `($1, 'contacts', $${p + 2}, $${p + 3}::jsonb, $${p + 4}::timestamptz, md5($${p + 3}::jsonb::text), now())`;
        });
        await client.query(
          `INSERT INTO bench_sync_ceiling (integration_id, entity, external_id, data, source_modified_at, content_hash, synced_at)
           VALUES ${tuples.join(',')}
           ON CONFLICT (integration_id, entity, external_id) DO UPDATE SET
             data = EXCLUDED.data, source_modified_at = EXCLUDED.source_modified_at, content_hash = EXCLUDED.content_hash, synced_at = EXCLUDED.synced_at`,
          [integrationId, ...values],
        );
      }
      return records.length / ((performance.now() - started) / 1000);
    };
    const firstVersions = changed.map((record, i) => (i % CHANGED_EVERY === 0 ? contact(i, FIRST_VERSION_AT) : record));
    const insertRate = await upsert(firstVersions);
    const updateRate = await upsert(changed.filter((_, i) => i % CHANGED_EVERY === 0));
    console.log('done');
    return { insertRate, updateRate };
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_sync_ceiling').catch(() => undefined);
    await client.end();
  }
}

runBench('bench/sync', WATCHDOG_MS, run);
