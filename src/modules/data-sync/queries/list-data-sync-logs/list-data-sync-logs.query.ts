import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { DataSyncLog } from '../../domain/data-sync-log.entity';
import type { SyncLogLevel } from '../../domain/sync-types';

export class ListDataSyncLogsQuery extends Query<Page<DataSyncLog>> {
  constructor(
    readonly tenantId: string,
    readonly jobId: string,
    readonly level: SyncLogLevel | undefined,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
