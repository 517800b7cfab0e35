import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { DataSyncJob } from '../../domain/data-sync-job.entity';
import type { SyncStatus, SyncType } from '../../domain/sync-types';

export interface DataSyncFilter {
  integrationId?: string;
  status?: SyncStatus;
  syncType?: SyncType;
  /** Scheduled at or after. */
  from?: Date;
  /** Scheduled before. */
  to?: Date;
}

export class ListDataSyncsQuery extends Query<Page<DataSyncJob>> {
  constructor(
    readonly tenantId: string,
    readonly filter: DataSyncFilter,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
