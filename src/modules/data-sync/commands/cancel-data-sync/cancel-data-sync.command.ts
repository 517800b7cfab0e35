import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { DataSyncJob } from '../../domain/data-sync-job.entity';

export class CancelDataSyncCommand extends Command<DataSyncJob> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly jobId: string,
  ) {
    super();
  }
}
