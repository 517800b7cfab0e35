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

/** Where a page ended, in the feed's order: the last record's syncedAt (as PostgreSQL wrote it, to the microsecond) and id. */
export interface SyncedRecordCursor {
  syncedAt: string;
  externalId: string;
}

export type SyncedRecordPage = Page<SyncedRecordView> & { nextCursor: SyncedRecordCursor | null };

export class ListSyncedRecordsQuery extends Query<SyncedRecordPage> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
    readonly entity: string,
    /** Records stored or changed at or after this time. */
    readonly updatedSince: Date | undefined,
    readonly page: number,
    readonly pageSize: number,
    /** Reads on after this record, whatever `page` says. */
    readonly after?: SyncedRecordCursor,
  ) {
    super();
  }
}
