import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';

export interface SyncedRecordView {
  entity: string;
  externalId: string;
  data: Record<string, unknown>;
  sourceModifiedAt: Date | null;
  contentHash: string;
  deleted: boolean;
  syncedAt: Date;
}

export class ListSyncedRecordsQuery extends Query<Page<SyncedRecordView>> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
    readonly entity: string,
    /** Records stored or changed at or after this time. */
    readonly updatedSince: Date | undefined,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
