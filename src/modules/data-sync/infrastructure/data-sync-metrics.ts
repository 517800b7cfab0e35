import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../../../common/metrics/metrics';

/** §12.1 for data sync: jobs by outcome, records, batch duration, failures by reason. */
export const syncJobsFinished = new Counter({
  name: 'data_sync_jobs_finished_total',
  help: 'Data sync jobs by final status',
  labelNames: ['status', 'sync_type'] as const,
  registers: [metricsRegistry],
});

export const syncJobsRunning = new Gauge({
  name: 'data_sync_jobs_running',
  help: 'Data sync jobs this worker is running',
  registers: [metricsRegistry],
});

export const syncRecords = new Counter({
  name: 'data_sync_records_total',
  help: 'Records handled by data sync: created, updated, unchanged, deleted, failed, exported (rate() gives records/s)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const syncBatchDuration = new Histogram({
  name: 'data_sync_batch_duration_seconds',
  help: 'Time to read and store one batch',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [metricsRegistry],
});

export const syncFailures = new Counter({
  name: 'data_sync_failures_total',
  help: 'Record and run failures by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const sourceCalls = new Counter({
  name: 'data_sync_source_calls_total',
  help: 'Calls to sync sources by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});
