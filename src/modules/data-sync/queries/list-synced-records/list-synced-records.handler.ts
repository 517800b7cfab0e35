import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Integration } from '../../../integrations/domain/integration.entity';
import { DataSyncError, DataSyncErrorCode } from '../../domain/data-sync.errors';
import { ListSyncedRecordsQuery, SyncedRecordPage } from './list-synced-records.query';

interface Row {
  entity: string;
  external_id: string;
  data: Record<string, unknown>;
  source_modified_at: Date | null;
  content_hash: string;
  deleted: boolean;
  synced_at: Date;
  synced_at_text: string;
  /** Absent after a cursor. */
  total?: string;
}

/**
 * GET /api/integrations/{id}/records: what the syncs imported, by entity, in the order they were stored (deleted ones
 * flagged). A change moves a record to the end of that order, so paging by offset skips the record after one changed
 * behind the reader; paging on from `after` (the last record read) does not.
 */
@QueryHandler(ListSyncedRecordsQuery)
export class ListSyncedRecordsHandler implements IQueryHandler<ListSyncedRecordsQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, integrationId, entity, updatedSince, page, pageSize, after }: ListSyncedRecordsQuery): Promise<SyncedRecordPage> {
    if (!(await this.em.count(Integration, { id: integrationId, tenantId }))) throw new DataSyncError(DataSyncErrorCode.NotFound, 'Integration not found');
    const connection = this.em.getConnection();
    const where = 'tenant_id = ? AND integration_id = ? AND entity = ? AND synced_at >= ?';
    const params = [tenantId, integrationId, entity, updatedSince ?? new Date(0)];
    // After a cursor the rows would count only what follows it: the total is counted on its own below.
    const rows = await connection.execute<Row[]>(
      `SELECT entity, external_id, data, source_modified_at, content_hash, deleted, synced_at, synced_at::text AS synced_at_text
              ${after ? '' : ', count(*) OVER () AS total'}
         FROM synced_record WHERE ${where} ${after ? 'AND (synced_at, external_id) > (?::timestamptz, ?)' : ''}
        ORDER BY synced_at, external_id
        LIMIT ? OFFSET ?`,
      [...params, ...(after ? [after.syncedAt, after.externalId] : []), pageSize, after ? 0 : (page - 1) * pageSize],
    );
    let total = rows.length && !after ? Number(rows[0].total) : 0;
    // Past the last page there is no row to carry the total.
    if (after || (!rows.length && page > 1)) {
      const [counted] = await connection.execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM synced_record WHERE ${where}`, params);
      total = Number(counted.n);
    }
    const last = rows.length === pageSize ? rows[rows.length - 1] : undefined;
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
      page: after ? 1 : page,
      pageSize,
      nextCursor: last ? { syncedAt: last.synced_at_text, externalId: last.external_id } : null,
    };
  }
}
