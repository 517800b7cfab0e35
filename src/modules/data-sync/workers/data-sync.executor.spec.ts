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
import { DataSyncExecutor } from './data-sync.executor';

const BATCH_SIZE = 100;

/**
 * A source of 300 records answering pages of 60 whatever the executor asks (10 here): what a page-numbered
 * resource with its own `pageSize` does, or a source that ignores the limit.
 */
function sourceOfBigPages(): SyncConnector {
  const total = 300;
  const pageSize = 60;
  return {
    resources: [{ entity: 'contacts' }],
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

describe('DataSyncExecutor', () => {
  it('keeps every batch within DATA_SYNC_BATCH_SIZE (BR-DS-03) when the source sends bigger pages than asked', async () => {
    const job: ClaimedJob = { id: 'job', tenantId: 'tenant', integrationId: 'integration', syncType: 'Full', direction: 'Import', status: 'Running', checkpoint: null, runs: 1, cancelRequested: false };
    const batches: BatchWrite[] = [];
    const store = {
      claim: () => Promise.resolve({ kind: 'claimed', job }),
      renewLease: () => Promise.resolve(true),
      writeBatch: (batch: BatchWrite) => {
        batches.push(batch);
        return Promise.resolve({ created: batch.records.length, updated: 0, unchanged: 0, failed: 0, recordsTotal: 0, recordsProcessed: 0, recordsFailed: 0, startedAt: null, cancelRequested: false });
      },
    } as unknown as SyncRunStore;
    const integration = { id: job.integrationId, status: 'Active', provider: 'Custom', configuration: () => ({}) };
    const executor = new DataSyncExecutor(
      {} as Queue<DataSyncRunJob>,
      store,
      { create: () => sourceOfBigPages() } as unknown as ConnectorFactory,
      { publish: () => Promise.resolve() } as unknown as SyncProgressChannel,
      { execute: () => Promise.resolve(null) } as unknown as CommandBus,
      { fork: () => ({ findOne: () => Promise.resolve(integration) }) } as unknown as EntityManager,
      {} as SecretVault,
      { dataSync: { batchSize: BATCH_SIZE, defaultPageSize: 10, leaseMs: 60_000, runTimeoutSeconds: 3600, maxRuns: 3, maxRunningJobs: 1 } } as AppConfig,
    );

    await executor.run(job.id);

    const sizes = batches.map((batch) => batch.records.length);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(300);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BATCH_SIZE);
  });
});
