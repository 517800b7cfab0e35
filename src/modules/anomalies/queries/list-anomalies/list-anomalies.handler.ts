import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { Anomaly } from '../../domain/anomaly.entity';
import { ListAnomaliesQuery } from './list-anomalies.query';
import { timeWindow } from '../../../../common/database/time-window';

@QueryHandler(ListAnomaliesQuery)
export class ListAnomaliesHandler implements IQueryHandler<ListAnomaliesQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, filter, page, pageSize }: ListAnomaliesQuery): Promise<Page<Anomaly>> {
    const where: FilterQuery<Anomaly> = { tenantId };
    if (filter.metric) where.metric = filter.metric;
    if (filter.subjectId) where.subjectId = filter.subjectId;
    const window = timeWindow(filter.since, filter.until);
    if (window) where.detectedAt = window;
    const [items, total] = await this.em.findAndCount(Anomaly, where, { orderBy: { detectedAt: 'desc', id: 'asc' }, limit: pageSize, offset: (page - 1) * pageSize });
    return { items, total, page, pageSize };
  }
}
