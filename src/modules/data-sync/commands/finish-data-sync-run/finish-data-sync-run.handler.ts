import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { pgArray } from '../../../../common/database/pg-array';
import { DataSyncJob } from '../../domain/data-sync-job.entity';
import { SyncRunStore, UNEXPORTED_LOCAL_CHANGE } from '../../infrastructure/sync-run-store';
import { FinishDataSyncRunCommand } from './finish-data-sync-run.command';

/**
 * UC-DS-02 step 8: in one transaction, a finished Full import marks the records it did not see as deleted (but
 * not a local change still to export: the source may never have had it), and the job ends with DataSyncCompleted
 * / DataSyncFailed. Nothing happens when the lease is no longer this run's (another worker took the job over):
 * returns null.
 *
 * A run cannot tell what it did not see when it failed as a whole (every record refused: the source renamed its id
 * field, or sent a page of something else) or when a record came without an id: then nothing is marked deleted,
 * and the job's log says why.
 */
@CommandHandler(FinishDataSyncRunCommand)
export class FinishDataSyncRunHandler implements ICommandHandler<FinishDataSyncRunCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly store: SyncRunStore,
  ) {}

  async execute({ jobId, leaseToken, outcome, markUnseenDeletedIn }: FinishDataSyncRunCommand): Promise<DataSyncJob | null> {
    const job = await this.em.findOne(DataSyncJob, { id: jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!job || job.leaseToken !== leaseToken || job.finished) return null;
    if (outcome.kind === 'finished' && markUnseenDeletedIn.length) {
      const unseenUnknown = await this.whyUnseenIsUnknown(job, markUnseenDeletedIn);
      if (unseenUnknown) {
        await this.store.log(job.id, job.tenantId, { level: 'Warning', message: `No record was marked deleted: ${unseenUnknown}` }, this.em.getTransactionContext());
      } else {
        await this.markUnseenDeleted(job, markUnseenDeletedIn);
      }
    }
    job.finish(outcome);
    return job;
  }

  /** Why this run cannot tell which records the source no longer has, or null when it can. */
  private async whyUnseenIsUnknown(job: DataSyncJob, entities: string[]): Promise<string | null> {
    // What job.finish() will call a failed run.
    if (job.recordsFailed > 0 && job.recordsProcessed === 0) return `every one of the ${job.recordsFailed} records read failed`;
    const [withoutId] = await this.em.getConnection().execute<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM data_sync_log WHERE job_id = ? AND level = 'Error' AND external_id IS NULL AND entity = ANY(?::text[])`,
      [job.id, pgArray(entities)],
      'all',
      this.em.getTransactionContext(),
    );
    const count = Number(withoutId.n);
    return count ? `${count} record(s) came without an id, so which records the source still has is not known` : null;
  }

  private async markUnseenDeleted(job: DataSyncJob, entities: string[]): Promise<void> {
    const deleted = await this.em.getConnection().execute(
      `UPDATE synced_record SET deleted = true, synced_at = now()
        WHERE integration_id = ? AND entity = ANY(?::text[]) AND NOT deleted AND last_seen_job_id IS DISTINCT FROM ?
          AND NOT ${UNEXPORTED_LOCAL_CHANGE}`,
      [job.integrationId, pgArray(entities), job.id],
      'run',
      this.em.getTransactionContext(),
    );
    job.recordsDeleted += (deleted as { affectedRows?: number }).affectedRows ?? 0;
  }
}
