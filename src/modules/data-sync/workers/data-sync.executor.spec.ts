import type { EntityManager } from '@mikro-orm/postgresql';
import type { CommandBus } from '@nestjs/cqrs';
import type { Queue } from 'bull';
import type { AppConfig } from '../../../common/config/app-config';
import type { SecretVault } from '../../../common/crypto/secret-vault';
import type { ConnectorFactory } from '../connectors/connector-factory';
import type { PageRequest, SourcePage, SyncConnector } from '../connectors/sync-connector';
import type { DataSyncRunJob } from '../infrastructure/data-sync-queue';
import type { SyncProgressChannel } from '../infrastructure/sync-progress.channel';
import type { BatchWrite, ClaimedJob, SyncRunStore } from '../infrastructure/sync-run-store';
import { RunLaterError } from '../infrastructure/data-sync-queue';
import { DataSyncExecutor } from './data-sync.executor';

const BATCH_SIZE = 100;

/**
 * A source of 300 records answering pages of 60 whatever the executor asks (10 here): what a page-numbered
 * resource with its own `pageSize` does, or a source that ignores the limit.
 */
function sourceOfBigPages(pageSize = 60): SyncConnector {
  const total = 300;
  return {
    resources: [{ entity: 'contacts', pagedByPosition: false }],
    readPage: ({ cursor }: PageRequest): Promise<SourcePage> => {
      const offset = Number(cursor ?? '0');
      const count = Math.min(pageSize, total - offset);
      return Promise.resolve({
        records: Array.from({ length: count }, (_, i) => ({ ok: true as const, externalId: `c${offset + i}`, modifiedAt: null, json: '{}' })),
        nextCursor: offset + count < total ? String(offset + count) : null,
        reportedTotal: total,
      });
    },
    writeRecords: () => Promise.resolve([]),
  };
}

function executorOver(source: SyncConnector, job: ClaimedJob, batches: BatchWrite[], { runTimeoutSeconds = 3600, logs = [] as string[], released = [] as string[] } = {}): DataSyncExecutor {
  const store = {
    claim: () => Promise.resolve({ kind: 'claimed', job }),
    renewLease: () => Promise.resolve(true),
    integrationState: () => Promise.resolve({ status: 'Active', isEnabled: true }),
    log: (_jobId: string, _tenantId: string, line: { message: string }) => Promise.resolve(void logs.push(line.message)),
    release: (jobId: string) => Promise.resolve(void released.push(jobId)),
    writeBatch: (batch: BatchWrite) => {
      batches.push(batch);
      return Promise.resolve({ created: batch.records.length, updated: 0, unchanged: 0, failed: 0, recordsTotal: 0, recordsProcessed: 0, recordsFailed: 0, startedAt: null, cancelRequested: false });
    },
  } as unknown as SyncRunStore;
  const integration = { id: job.integrationId, status: 'Active', isEnabled: true, provider: 'Custom', configuration: () => ({}) };
  return new DataSyncExecutor(
    {} as Queue<DataSyncRunJob>,
    store,
    { create: () => source } as unknown as ConnectorFactory,
    { publish: () => Promise.resolve() } as unknown as SyncProgressChannel,
    { execute: () => Promise.resolve(null) } as unknown as CommandBus,
    { fork: () => ({ findOne: () => Promise.resolve(integration) }) } as unknown as EntityManager,
    {} as SecretVault,
    { dataSync: { batchSize: BATCH_SIZE, defaultPageSize: 10, leaseMs: 60_000, runTimeoutSeconds, maxRuns: 3, maxRunningJobs: 1 } } as AppConfig,
  );
}

function claimed(checkpoint: ClaimedJob['checkpoint'] = null): ClaimedJob {
  return { id: 'job', tenantId: 'tenant', integrationId: 'integration', syncType: 'Full', direction: 'Import', status: 'Running', checkpoint, runs: 1, cancelRequested: false };
}

const idsOf = (batch: BatchWrite) => batch.records.map((record) => record.externalId);

describe('DataSyncExecutor', () => {
  it('keeps every batch within DATA_SYNC_BATCH_SIZE (BR-DS-03) when the source sends bigger pages than asked', async () => {
    const batches: BatchWrite[] = [];
    await executorOver(sourceOfBigPages(), claimed(), batches).run('job');

    const sizes = batches.map((batch) => batch.records.length);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(300);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BATCH_SIZE);
  });

  it('cuts one page bigger than DATA_SYNC_BATCH_SIZE into several batches, each checkpointed inside the page (BR-DS-03)', async () => {
    const batches: BatchWrite[] = [];
    await executorOver(sourceOfBigPages(150), claimed(), batches).run('job');

    expect(batches.map((batch) => batch.records.length)).toEqual([100, 50, 100, 50]);
    expect(new Set(batches.flatMap(idsOf)).size).toBe(300);
    expect(batches.map((batch) => [batch.checkpoint.cursor, batch.checkpoint.skip])).toEqual([
      [null, 100],
      ['150', undefined],
      ['150', 100],
      [null, undefined],
    ]);
    expect(batches[3].checkpoint.resourceIndex).toBe(1);
  });

  it('resumes inside a page after the records an earlier batch stored, counting the announced total once', async () => {
    const batches: BatchWrite[] = [];
    const stored = { resourceIndex: 0, cursor: null, skip: 100, since: null, reportedTotal: 300, exporting: false, exportAfter: null, readUpTo: {} };
    await executorOver(sourceOfBigPages(150), claimed(stored), batches).run('job');

    expect(idsOf(batches[0])).toEqual(Array.from({ length: 50 }, (_, i) => `c${100 + i}`));
    expect(batches.flatMap(idsOf)).toHaveLength(200);
    expect(batches.every((batch) => batch.checkpoint.reportedTotal === 300)).toBe(true);
  });

  it('stops a run at DATA_SYNC_RUN_TIMEOUT_SECONDS (BR-DS-05), gives the lease back and resumes later from the checkpoint', async () => {
    const batches: BatchWrite[] = [];
    const logs: string[] = [];
    const released: string[] = [];
    // The source answers its first page (one batch of 60), then never again.
    const source = sourceOfBigPages();
    const firstPage = source.readPage.bind(source);
    let pagesRead = 0;
    source.readPage = (request) => (pagesRead++ === 0 ? firstPage(request) : new Promise<SourcePage>(() => undefined));
    const executor = executorOver(source, claimed(), batches, { runTimeoutSeconds: 0.05, logs, released });

    await expect(executor.run('job')).rejects.toBeInstanceOf(RunLaterError);
    expect(logs.some((line) => line.includes('BR-DS-05'))).toBe(true);
    expect(released).toEqual(['job']);
    // The batch stored before the source stopped answering stays, with where the next run resumes.
    expect(batches.map((batch) => [batch.records.length, batch.checkpoint.cursor])).toEqual([[60, '60']]);
  });
});
