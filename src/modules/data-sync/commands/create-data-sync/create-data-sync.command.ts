import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { DataSyncJob } from '../../domain/data-sync-job.entity';
import type { SyncDirection, SyncType } from '../../domain/sync-types';

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
