import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { pgArray } from '../../../../common/database/pg-array';
import { DataSyncJob } from '../../domain/data-sync-job.entity';
import { UNEXPORTED_LOCAL_CHANGE } from '../../infrastructure/sync-run-store';
import { FinishDataSyncRunCommand } from './finish-data-sync-run.command';

/**
 * UC-DS-02 step 8: in one transaction, a finished Full import marks the records it did not see as deleted (but
 * not a local change still to export: the source may never have had it), and the job ends with DataSyncCompleted
 * / DataSyncFailed. Nothing happens when the lease is no longer this run's (another worker took the job over):
 * returns null.
 */
@CommandHandler(FinishDataSyncRunCommand)
export class FinishDataSyncRunHandler implements ICommandHandler<FinishDataSyncRunCommand> {
  constructor(private readonly em: EntityManager) {}

  async execute({ jobId, leaseToken, outcome, markUnseenDeletedIn }: FinishDataSyncRunCommand): Promise<DataSyncJob | null> {
    const job = await this.em.findOne(DataSyncJob, { id: jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!job || job.leaseToken !== leaseToken || job.finished) return null;
    if (outcome.kind === 'finished' && markUnseenDeletedIn.length) {
      const deleted = await this.em.getConnection().execute(
        `UPDATE synced_record SET deleted = true, synced_at = now()
          WHERE integration_id = ? AND entity = ANY(?::text[]) AND NOT deleted AND last_seen_job_id IS DISTINCT FROM ?
            AND NOT ${UNEXPORTED_LOCAL_CHANGE}`,
        [job.integrationId, pgArray(markUnseenDeletedIn), job.id],
        'run',
        this.em.getTransactionContext(),
      );
      job.recordsDeleted += (deleted as { affectedRows?: number }).affectedRows ?? 0;
    }
    job.finish(outcome);
    return job;
  }
}
