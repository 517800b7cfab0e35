import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSyncJob } from '../../domain/data-sync-job.entity';
import { DataSyncError, DataSyncErrorCode } from '../../domain/data-sync.errors';
import { CancelDataSyncCommand } from './cancel-data-sync.command';

/**
 * DELETE /api/datasyncs/{id}: a job not yet started is Cancelled at once; a running one stops at its next batch
 * boundary. The row lock keeps a worker from claiming the job between the read and the write.
 */
@CommandHandler(CancelDataSyncCommand)
export class CancelDataSyncHandler implements ICommandHandler<CancelDataSyncCommand> {
  constructor(private readonly em: EntityManager) {}

  async execute({ actor, jobId }: CancelDataSyncCommand): Promise<DataSyncJob> {
    const job = await this.em.findOne(DataSyncJob, { id: jobId, tenantId: actor.tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!job) throw new DataSyncError(DataSyncErrorCode.NotFound, 'Data sync job not found');
    job.requestCancellation(actor.apiKeyId);
    return job;
  }
}
