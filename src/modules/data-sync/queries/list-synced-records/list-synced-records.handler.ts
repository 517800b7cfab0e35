import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { Integration } from '../../../integrations/domain/integration.entity';
import { DataSyncError, DataSyncErrorCode } from '../../domain/data-sync.errors';
import { ListSyncedRecordsQuery, SyncedRecordView } from './list-synced-records.query';

interface Row {
  entity: string;
  external_id: string;
  data: Record<string, unknown>;
  source_modified_at: Date | null;
  content_hash: string;
  deleted: boolean;
  synced_at: Date;
  total: string;
}

/** GET /api/integrations/{id}/records: what the syncs imported, by entity, in the order they were stored (deleted ones flagged). */
@QueryHandler(ListSyncedRecordsQuery)
export class ListSyncedRecordsHandler implements IQueryHandler<ListSyncedRecordsQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, integrationId, entity, updatedSince, page, pageSize }: ListSyncedRecordsQuery): Promise<Page<SyncedRecordView>> {
    if (!(await this.em.count(Integration, { id: integrationId, tenantId }))) throw new DataSyncError(DataSyncErrorCode.NotFound, 'Integration not found');
    const rows = await this.em.getConnection().execute<Row[]>(
      `SELECT entity, external_id, data, source_modified_at, content_hash, deleted, synced_at, count(*) OVER () AS total
         FROM synced_record
        WHERE tenant_id = ? AND integration_id = ? AND entity = ? AND synced_at >= ?
        ORDER BY synced_at, external_id
        LIMIT ? OFFSET ?`,
      [tenantId, integrationId, entity, updatedSince ?? new Date(0), pageSize, (page - 1) * pageSize],
    );
    return {
      items: rows.map((row) => ({
        entity: row.entity,
        externalId: row.external_id,
        data: row.data,
        sourceModifiedAt: row.source_modified_at,
        contentHash: row.content_hash,
        deleted: row.deleted,
        syncedAt: row.synced_at,
      })),
      total: rows.length ? Number(rows[0].total) : 0,
      page,
      pageSize,
    };
  }
}
