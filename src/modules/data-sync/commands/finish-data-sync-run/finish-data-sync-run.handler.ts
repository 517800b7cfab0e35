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
      const unseenUnknown = await this.whyUnseenIsUnknown(
        job,
        markUnseenDeletedIn.map((resource) => resource.entity),
      );
      if (unseenUnknown) {
        await this.log(job, `No record was marked deleted: ${unseenUnknown}`);
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

  /**
   * Marks deleted the records this run did not see. For a resource paged by position, a record is also one the
   * previous finished Full import did not see (nor any run since it began): a record the source deleted during a
   * read moves the ones after it back a place, so one read can miss a record that is still there, but two reads in
   * a row missing it is what a deletion looks like. Before a second Full import, such resources mark nothing.
   */
  private async markUnseenDeleted(job: DataSyncJob, resources: FinishDataSyncRunCommand['markUnseenDeletedIn']): Promise<void> {
    const byCursor = resources.filter((resource) => !resource.pagedByPosition).map((resource) => resource.entity);
    const byPosition = resources.filter((resource) => resource.pagedByPosition).map((resource) => resource.entity);
    const previousFullStartedAt = byPosition.length ? await this.previousFullImportStart(job) : null;
    const unseen = `s.integration_id = ? AND NOT s.deleted AND s.last_seen_job_id IS DISTINCT FROM ? AND NOT ${UNEXPORTED_LOCAL_CHANGE}`;
    const deleted = await this.em.getConnection().execute(
      `UPDATE synced_record s SET deleted = true, synced_at = now()
        WHERE ${unseen}
          AND (s.entity = ANY(?::text[])
               OR (s.entity = ANY(?::text[]) AND ?::timestamptz IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM data_sync_job seen WHERE seen.id = s.last_seen_job_id AND seen.started_at >= ?::timestamptz)))`,
      [job.integrationId, job.id, pgArray(byCursor), pgArray(byPosition), previousFullStartedAt, previousFullStartedAt],
      'run',
      this.em.getTransactionContext(),
    );
    job.recordsDeleted += (deleted as { affectedRows?: number }).affectedRows ?? 0;
    if (!byPosition.length) return;
    const [kept] = await this.em.getConnection().execute<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM synced_record s WHERE ${unseen} AND s.entity = ANY(?::text[])`,
      [job.integrationId, job.id, pgArray(byPosition)],
      'all',
      this.em.getTransactionContext(),
    );
    if (Number(kept.n) === 0) return;
    const why = previousFullStartedAt ? 'the Full import before this one (or a sync since it began) saw them' : 'this is the first Full import';
    await this.log(
      job,
      `${kept.n} record(s) of ${byPosition.join(', ')} not seen were not marked deleted: pages found by position can miss a record when the source deletes another during the read, so a record is marked deleted only when two Full imports in a row miss it, and ${why}`,
    );
  }

  /** When the integration's last finished Full import before this one began, or null when there was none. */
  private async previousFullImportStart(job: DataSyncJob): Promise<Date | null> {
    const [{ since }] = await this.em.getConnection().execute<Array<{ since: Date | null }>>(
      `SELECT max(started_at) AS since FROM data_sync_job
        WHERE integration_id = ? AND id <> ? AND sync_type = 'Full' AND direction <> 'Export' AND status IN ('Completed', 'PartialSuccess')`,
      [job.integrationId, job.id],
      'all',
      this.em.getTransactionContext(),
    );
    return since;
  }

  private async log(job: DataSyncJob, message: string): Promise<void> {
    await this.store.log(job.id, job.tenantId, { level: 'Warning', message }, this.em.getTransactionContext());
  }
}
