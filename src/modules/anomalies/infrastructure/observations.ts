import type { EntityManager } from '@mikro-orm/postgresql';
import { queryBound } from '../../../common/database/bound-query';
import type { AnomalyMetric } from '../domain/anomaly-metrics';
import type { Baseline } from '../domain/rolling-baseline';

/** A baseline as stored, keyed by metric, subject and dimension ('' when the metric has none). */
export interface StoredBaseline extends Baseline {
  metric: AnomalyMetric;
  subjectId: string;
  dimension: string;
  tenantId: string;
  lastTotal: number | null;
  observedUntil: Date;
}

/** One value to compare with its subject's baseline; `null` value: nothing to compare yet, only the baseline's position moves. */
export interface Observation {
  metric: AnomalyMetric;
  subjectId: string;
  dimension: string;
  tenantId: string;
  value: number | null;
  lastTotal: number | null;
  observedUntil: Date;
}

/** Requests per hour are only read over at least half an hour: a sweep run twice in a row would see a handful. */
const MIN_USAGE_WINDOW_MS = 30 * 60_000;
/** A failure rate over fewer attempts says little: a window with fewer waits for more. */
export const MIN_ATTEMPTS_FOR_FAILURE_RATE = 10;
/**
 * How far behind the sweep a webhook's window ends. An attempt is written with the time it started, once its
 * request is over (up to 300 s, the longest timeoutSeconds) and its outcome batch is committed: a window ending at
 * the sweep itself would miss the slowest attempts, which are mostly timeouts, that is failures.
 */
export const WEBHOOK_ATTEMPT_SETTLE_MS = 6 * 60_000;
/** How far back a sync's first observations reach, so its baseline starts from the runs it already had. */
const SYNC_HISTORY_DAYS = 30;

interface BaselineRow {
  metric: AnomalyMetric;
  subject_id: string;
  dimension: string;
  tenant_id: string;
  mean: number;
  variance: number;
  samples: number;
  last_total: string | null;
  observed_until: Date;
}

/** Every baseline of `metric`, locked until the sweep commits. */
export async function lockBaselines(em: EntityManager, metric: AnomalyMetric): Promise<Map<string, StoredBaseline>> {
  const rows = await queryBound<BaselineRow>(em, 'SELECT * FROM anomaly_baseline WHERE metric = ? FOR UPDATE', [metric]);
  return new Map(
    rows.map((row) => [
      baselineKey(row.subject_id, row.dimension),
      {
        metric: row.metric,
        subjectId: row.subject_id,
        dimension: row.dimension,
        tenantId: row.tenant_id,
        mean: row.mean,
        variance: row.variance,
        samples: row.samples,
        lastTotal: row.last_total === null ? null : Number(row.last_total),
        observedUntil: new Date(row.observed_until),
      },
    ]),
  );
}

export function baselineKey(subjectId: string, dimension: string): string {
  return `${subjectId}/${dimension}`;
}

/**
 * Each active key's requests per hour since its last observation, from the usage count the API replicas flush
 * (API_KEYS_USAGE_FLUSH_MS): nothing is added to the request path. A key seen for the first time only records
 * where its count stands.
 */
export async function apiKeyUsage(em: EntityManager, baselines: Map<string, StoredBaseline>, now: Date): Promise<Observation[]> {
  const keys = await queryBound<{ id: string; tenant_id: string; usage_count: string }>(em, 'SELECT id, tenant_id, usage_count FROM api_key WHERE is_active', []);
  const observations: Observation[] = [];
  for (const key of keys) {
    const total = Number(key.usage_count);
    const baseline = baselines.get(baselineKey(key.id, ''));
    const base = { metric: 'ApiKeyRequestsPerHour' as const, subjectId: key.id, dimension: '', tenantId: key.tenant_id, lastTotal: total, observedUntil: now };
    if (!baseline || baseline.lastTotal === null) {
      observations.push({ ...base, value: null });
      continue;
    }
    const elapsedMs = now.getTime() - baseline.observedUntil.getTime();
    if (elapsedMs < MIN_USAGE_WINDOW_MS) continue;
    observations.push({ ...base, value: (Math.max(0, total - baseline.lastTotal) * 3_600_000) / elapsedMs });
  }
  return observations;
}

/**
 * Each active webhook's share of failed attempts (percent) since its last observation, once the window holds at
 * least MIN_ATTEMPTS_FOR_FAILURE_RATE attempts (a quiet webhook's window grows until it does). Windows end
 * WEBHOOK_ATTEMPT_SETTLE_MS before the sweep; a webhook seen for the first time only starts its window there.
 */
export async function webhookFailureRates(em: EntityManager, baselines: Map<string, StoredBaseline>, now: Date): Promise<Observation[]> {
  const until = new Date(now.getTime() - WEBHOOK_ATTEMPT_SETTLE_MS);
  const webhooks = await queryBound<{ id: string; tenant_id: string }>(em, 'SELECT id, tenant_id FROM webhook WHERE is_active', []);
  const base = (webhook: { id: string; tenant_id: string }) => ({ metric: 'WebhookFailureRate' as const, subjectId: webhook.id, dimension: '', tenantId: webhook.tenant_id, lastTotal: null });
  const observations: Observation[] = webhooks.filter((w) => !baselines.has(baselineKey(w.id, ''))).map((w) => ({ ...base(w), value: null, observedUntil: until }));
  const windows = webhooks.flatMap((w) => {
    const since = baselines.get(baselineKey(w.id, ''))?.observedUntil;
    return since && since < until ? [{ webhook_id: w.id, tenant_id: w.tenant_id, since: since.toISOString() }] : [];
  });
  if (!windows.length) return observations;
  const counts = await queryBound<{ webhook_id: string; attempts: string; failed: string }>(
    em,
    `SELECT w.webhook_id, count(a.*) AS attempts, count(a.*) FILTER (WHERE NOT a.succeeded) AS failed
       FROM jsonb_to_recordset(?::jsonb) AS w(webhook_id uuid, tenant_id uuid, since timestamptz)
       JOIN webhook_delivery_attempt a ON a.tenant_id = w.tenant_id AND a.webhook_id = w.webhook_id AND a.attempted_at > w.since AND a.attempted_at <= ?::timestamptz
      GROUP BY w.webhook_id`,
    [JSON.stringify(windows), until.toISOString()],
  );
  const byWebhook = new Map(counts.map((c) => [c.webhook_id, { attempts: Number(c.attempts), failed: Number(c.failed) }]));
  for (const webhook of webhooks) {
    const window = byWebhook.get(webhook.id);
    if (!window || window.attempts < MIN_ATTEMPTS_FOR_FAILURE_RATE) continue;
    observations.push({ ...base(webhook), value: (window.failed / window.attempts) * 100, observedUntil: until });
  }
  return observations;
}

/**
 * The records each finished sync run read (processed and failed alike: a source sending garbage is as unusual as
 * one sending nothing), per integration, sync type and direction, in the order they completed, since that
 * baseline's last observation. A new baseline learns from the last SYNC_HISTORY_DAYS of runs.
 */
export async function syncVolumes(em: EntityManager, baselines: Map<string, StoredBaseline>, now: Date): Promise<Observation[]> {
  const earliest = new Date(now.getTime() - SYNC_HISTORY_DAYS * 86_400_000);
  const runs = await queryBound<{ integration_id: string; tenant_id: string; dimension: string; records: number; completed_at: Date }>(
    em,
    `SELECT integration_id, tenant_id, sync_type || '/' || direction AS dimension, records_processed + records_failed AS records, completed_at
       FROM data_sync_job WHERE status IN ('Completed', 'PartialSuccess') AND completed_at > ?::timestamptz AND completed_at <= ?::timestamptz
      ORDER BY completed_at, id`,
    [earliest.toISOString(), now.toISOString()],
  );
  return runs
    .filter((run) => new Date(run.completed_at) > (baselines.get(baselineKey(run.integration_id, run.dimension))?.observedUntil ?? earliest))
    .map((run) => ({
      metric: 'SyncRecordsPerRun' as const,
      subjectId: run.integration_id,
      dimension: run.dimension,
      tenantId: run.tenant_id,
      value: run.records,
      lastTotal: null,
      observedUntil: new Date(run.completed_at),
    }));
}

/**
 * Each integration's recent response time (the running average its health checks keep, weighted to the last few
 * checks), once it has had checks since the last observation: `last_total` holds the check count it was read at.
 */
export async function integrationResponseTimes(em: EntityManager, baselines: Map<string, StoredBaseline>, now: Date): Promise<Observation[]> {
  const integrations = await queryBound<{ id: string; tenant_id: string; health_checks: number; average_response_time_ms: number }>(
    em,
    'SELECT id, tenant_id, health_checks, average_response_time_ms FROM integration WHERE average_response_time_ms IS NOT NULL',
    [],
  );
  return integrations
    .filter((integration) => baselines.get(baselineKey(integration.id, ''))?.lastTotal !== integration.health_checks)
    .map((integration) => ({
      metric: 'IntegrationResponseTime' as const,
      subjectId: integration.id,
      dimension: '',
      tenantId: integration.tenant_id,
      value: integration.average_response_time_ms,
      lastTotal: integration.health_checks,
      observedUntil: now,
    }));
}

/** Writes the sweep's baselines in one statement. */
export async function saveBaselines(em: EntityManager, baselines: StoredBaseline[]): Promise<void> {
  if (!baselines.length) return;
  await queryBound(
    em,
    `INSERT INTO anomaly_baseline (metric, subject_id, dimension, tenant_id, mean, variance, samples, last_total, observed_until)
     SELECT * FROM jsonb_to_recordset(?::jsonb) AS b(metric varchar, subject_id uuid, dimension varchar, tenant_id uuid, mean double precision,
            variance double precision, samples integer, last_total bigint, observed_until timestamptz)
     ON CONFLICT (metric, subject_id, dimension) DO UPDATE SET
       mean = EXCLUDED.mean, variance = EXCLUDED.variance, samples = EXCLUDED.samples, last_total = EXCLUDED.last_total,
       observed_until = EXCLUDED.observed_until`,
    [
      JSON.stringify(
        baselines.map((b) => ({
          metric: b.metric,
          subject_id: b.subjectId,
          dimension: b.dimension,
          tenant_id: b.tenantId,
          mean: b.mean,
          variance: b.variance,
          samples: b.samples,
          last_total: b.lastTotal,
          observed_until: b.observedUntil.toISOString(),
        })),
      ),
    ],
  );
}
