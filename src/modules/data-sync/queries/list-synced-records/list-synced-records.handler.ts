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
    const connection = this.em.getConnection();
    const where = 'tenant_id = ? AND integration_id = ? AND entity = ? AND synced_at >= ?';
    const params = [tenantId, integrationId, entity, updatedSince ?? new Date(0)];
    const rows = await connection.execute<Row[]>(
      `SELECT entity, external_id, data, source_modified_at, content_hash, deleted, synced_at, count(*) OVER () AS total
         FROM synced_record WHERE ${where}
        ORDER BY synced_at, external_id
        LIMIT ? OFFSET ?`,
      [...params, pageSize, (page - 1) * pageSize],
    );
    let total = rows.length ? Number(rows[0].total) : 0;
    // Past the last page there is no row to carry the total: it is counted alone.
    if (!rows.length && page > 1) {
      const [counted] = await connection.execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM synced_record WHERE ${where}`, params);
      total = Number(counted.n);
    }
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
      total,
      page,
      pageSize,
    };
  }
}
