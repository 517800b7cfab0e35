import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import { WithoutUnitOfWork } from '../../../../common/cqrs/command-pipeline';
import type { DataSyncJob } from '../../domain/data-sync-job.entity';
import type { SyncDirection, SyncType } from '../../domain/sync-types';

/** Asks the provider about the credentials before it opens a transaction of its own (see the handler): no unit of work around it. */
@WithoutUnitOfWork()
export class CreateDataSyncCommand extends Command<DataSyncJob> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly integrationId: string,
    readonly syncType: SyncType,
    readonly direction: SyncDirection,
    /** Now when the caller gave none. */
    readonly scheduledAt: Date,
    /**
     * For a caller that may ask again for the same thing (a reaction, which Bull runs at least once): a second
     * request with the key answers with the job the first one started, and starts none.
     */
    readonly idempotencyKey?: string,
  ) {
    super();
  }
}
