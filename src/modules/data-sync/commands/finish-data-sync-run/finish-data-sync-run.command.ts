import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { SyncResource } from '../../connectors/sync-connector';
import type { DataSyncJob, RunOutcome } from '../../domain/data-sync-job.entity';

/** The executor's last word on a run it holds the lease of: the job ends, its event goes to the outbox. */
export class FinishDataSyncRunCommand extends Command<DataSyncJob | null> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly jobId: string,
    readonly leaseToken: string,
    readonly outcome: RunOutcome,
    /** A Full import that read every resource: records of these resources it did not see are gone from the source. */
    readonly markUnseenDeletedIn: ReadonlyArray<Pick<SyncResource, 'entity' | 'pagedByPosition'>>,
  ) {
    super();
  }
}
