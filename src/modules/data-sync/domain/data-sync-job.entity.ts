import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { AggregateRoot } from '@nestjs/cqrs';
import type { DomainEvent } from '../../../common/events/domain-event';
import { DataSyncError, DataSyncErrorCode } from './data-sync.errors';
import { DataSyncCancelledEvent, DataSyncCompletedEvent, DataSyncFailedEvent, DataSyncInitiatedEvent } from './events/data-sync.events';
import { FINISHED_STATUSES, SYNC_DIRECTIONS, SYNC_STATUSES, SYNC_TYPES, SyncCheckpoint, SyncDirection, SyncStatus, SyncType } from './sync-types';

export interface NewDataSyncJob {
  tenantId: string;
  integrationId: string;
  syncType: SyncType;
  direction: SyncDirection;
  scheduledAt: Date;
  createdBy: string | null;
  idempotencyKey?: string | null;
}

/** How a run ended, as the executor reports it. */
export type RunOutcome = { kind: 'finished' } | { kind: 'cancelled' } | { kind: 'failed'; reason: string };

const MAX_ERROR = 2000;

/**
 * One sync of an integration's data (spec §2.5): scheduled, run in batches by a worker (which writes the
 * counters and the checkpoint with each batch, outside this class, in the batch's own transaction), then
 * Completed, PartialSuccess (some records failed and were logged), Failed or Cancelled.
 */
@Entity({ tableName: 'data_sync_job' })
export class DataSyncJob extends AggregateRoot<DomainEvent> {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  integrationId: string;

  @Enum({ items: () => [...SYNC_TYPES], type: 'string' })
  syncType: SyncType;

  @Enum({ items: () => [...SYNC_DIRECTIONS], type: 'string' })
  direction: SyncDirection;

  @Enum({ items: () => [...SYNC_STATUSES], type: 'string' })
  status: SyncStatus = 'Scheduled';

  @Property({ type: 'integer' }) recordsTotal: number = 0;
  @Property({ type: 'integer' }) recordsProcessed: number = 0;
  @Property({ type: 'integer' }) recordsFailed: number = 0;
  @Property({ type: 'integer' }) recordsCreated: number = 0;
  @Property({ type: 'integer' }) recordsUpdated: number = 0;
  @Property({ type: 'integer' }) recordsUnchanged: number = 0;
  @Property({ type: 'integer' }) recordsDeleted: number = 0;
  @Property({ type: 'integer' }) recordsExported: number = 0;

  /** Why the job failed, as JSON (spec's ErrorLog); per-record failures are in data_sync_log. */
  @Property({ type: 'json', nullable: true })
  errorLog: { message: string } | null = null;

  @Property({ type: 'json', nullable: true })
  checkpoint: SyncCheckpoint | null = null;

  @Property({ type: 'integer' }) batchesCompleted: number = 0;
  @Property({ type: 'integer' }) runs: number = 0;

  /** The running worker's claim; a run whose lease lapsed (crash) is taken over by the next worker. */
  @Property({ type: 'uuid', nullable: true, hidden: true })
  leaseToken: string | null = null;

  @Property({ type: 'Date', nullable: true })
  leaseExpiresAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  cancelRequestedAt: Date | null = null;

  @Property({ type: 'Date', nullable: true }) startedAt: Date | null = null;
  @Property({ type: 'Date', nullable: true }) completedAt: Date | null = null;
  @Property({ type: 'Date', nullable: true }) lastCheckpointAt: Date | null = null;
  @Property({ type: 'Date' }) scheduledAt: Date;
  @Property({ type: 'Date' }) createdAt: Date;
  @Property({ type: 'uuid', nullable: true }) createdBy: string | null = null;

  /** The key of the request that started it, when that request may come again (see CreateDataSyncCommand). */
  @Property({ type: 'string', length: 200, nullable: true }) idempotencyKey: string | null = null;

  /** UC-DS-01 steps 3–4. The caller has checked the integration and the frequency rules. */
  static initiate(props: NewDataSyncJob, now = new Date()): DataSyncJob {
    const job = new DataSyncJob();
    job.id = randomUUID();
    Object.assign(job, props);
    job.createdAt = now;
    job.apply(
      new DataSyncInitiatedEvent(job.tenantId, job.id, job.integrationId, job.syncType, job.direction, job.scheduledAt.toISOString(), job.recordsTotal, job.createdBy),
    );
    return job;
  }

  get finished(): boolean {
    return FINISHED_STATUSES.includes(this.status);
  }

  /**
   * DELETE: a job that has not started is cancelled now; a running one at its next batch boundary (the worker
   * sees the request when it saves its checkpoint). Returns whether it is already over.
   */
  requestCancellation(by: string | null, now = new Date()): boolean {
    if (this.finished) throw new DataSyncError(DataSyncErrorCode.AlreadyFinished, `The sync job is already ${this.status}`, { jobStatus: this.status });
    this.cancelRequestedAt ??= now;
    if (this.status === 'Running') return false;
    this.status = 'Cancelled';
    this.completedAt = now;
    this.apply(new DataSyncCancelledEvent(this.tenantId, this.id, this.integrationId, this.recordsProcessed, by));
    return true;
  }

  /** The executor's report at the end of a run holding the lease; `recordsTotal` becomes what was really seen. */
  finish(outcome: RunOutcome, now = new Date()): void {
    if (this.finished) return;
    this.recordsTotal = Math.max(this.recordsTotal, this.recordsProcessed + this.recordsFailed);
    this.completedAt = now;
    this.leaseToken = null;
    this.leaseExpiresAt = null;
    if (outcome.kind === 'cancelled') {
      this.status = 'Cancelled';
      this.apply(new DataSyncCancelledEvent(this.tenantId, this.id, this.integrationId, this.recordsProcessed, null));
      return;
    }
    if (outcome.kind === 'failed') {
      this.status = 'Failed';
      this.errorLog = { message: outcome.reason.slice(0, MAX_ERROR) };
      this.apply(new DataSyncFailedEvent(this.tenantId, this.id, this.integrationId, this.recordsProcessed, this.recordsFailed, this.errorLog.message));
      return;
    }
    // Every record failing is a failed sync, not a partial success.
    if (this.recordsFailed > 0 && this.recordsProcessed === 0) {
      this.status = 'Failed';
      this.errorLog = { message: `All ${this.recordsFailed} records failed; see the job's logs` };
      this.apply(new DataSyncFailedEvent(this.tenantId, this.id, this.integrationId, 0, this.recordsFailed, this.errorLog.message));
      return;
    }
    this.status = this.recordsFailed > 0 ? 'PartialSuccess' : 'Completed';
    const durationMs = this.startedAt ? now.getTime() - this.startedAt.getTime() : 0;
    this.apply(new DataSyncCompletedEvent(this.tenantId, this.id, this.integrationId, this.status, this.recordsProcessed, this.recordsFailed, durationMs));
  }
}
