import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { DataSyncJob } from '../../domain/data-sync-job.entity';
import { DataSyncLog } from '../../domain/data-sync-log.entity';
import { DataSyncError, DataSyncErrorCode } from '../../domain/data-sync.errors';
import { ListDataSyncLogsQuery } from './list-data-sync-logs.query';

/** A job's execution log in the order written: run messages and each failed record. */
@QueryHandler(ListDataSyncLogsQuery)
export class ListDataSyncLogsHandler implements IQueryHandler<ListDataSyncLogsQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, jobId, level, page, pageSize }: ListDataSyncLogsQuery): Promise<Page<DataSyncLog>> {
    if (!(await this.em.count(DataSyncJob, { id: jobId, tenantId }))) throw new DataSyncError(DataSyncErrorCode.NotFound, 'Data sync job not found');
    const where: FilterQuery<DataSyncLog> = { tenantId, jobId };
    if (level) where.level = level;
    const [items, total] = await this.em.findAndCount(DataSyncLog, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: pageSize, offset: (page - 1) * pageSize });
    return { items, total, page, pageSize };
  }
}
