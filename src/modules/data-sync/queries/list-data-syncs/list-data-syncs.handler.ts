import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { DataSyncJob } from '../../domain/data-sync-job.entity';
import { ListDataSyncsQuery } from './list-data-syncs.query';
import { timeWindow } from '../../../../common/database/time-window';

/** The tenant's sync jobs, newest scheduled first. */
@QueryHandler(ListDataSyncsQuery)
export class ListDataSyncsHandler implements IQueryHandler<ListDataSyncsQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, filter, page, pageSize }: ListDataSyncsQuery): Promise<Page<DataSyncJob>> {
    const where: FilterQuery<DataSyncJob> = { tenantId };
    if (filter.integrationId) where.integrationId = filter.integrationId;
    if (filter.status) where.status = filter.status;
    if (filter.syncType) where.syncType = filter.syncType;
    const window = timeWindow(filter.from, filter.to);
    if (window) where.scheduledAt = window;
    const [items, total] = await this.em.findAndCount(DataSyncJob, where, { orderBy: { scheduledAt: 'desc', id: 'asc' }, limit: pageSize, offset: (page - 1) * pageSize });
    return { items, total, page, pageSize };
  }
}
