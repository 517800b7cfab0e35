import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSyncJob } from '../../domain/data-sync-job.entity';
import { DataSyncError, DataSyncErrorCode } from '../../domain/data-sync.errors';
import { GetDataSyncQuery } from './get-data-sync.query';

/** One job of the tenant; another tenant's is reported exactly as a missing one. */
@QueryHandler(GetDataSyncQuery)
export class GetDataSyncHandler implements IQueryHandler<GetDataSyncQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, jobId }: GetDataSyncQuery): Promise<DataSyncJob> {
    const job = await this.em.findOne(DataSyncJob, { id: jobId, tenantId });
    if (!job) throw new DataSyncError(DataSyncErrorCode.NotFound, 'Data sync job not found');
    return job;
  }
}
