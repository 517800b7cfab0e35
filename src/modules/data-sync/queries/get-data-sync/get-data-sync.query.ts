import { Query } from '@nestjs/cqrs';
import type { DataSyncJob } from '../../domain/data-sync-job.entity';

export class GetDataSyncQuery extends Query<DataSyncJob> {
  constructor(
    readonly tenantId: string,
    readonly jobId: string,
  ) {
    super();
  }
}
