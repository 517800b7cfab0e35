import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditEntry } from '../../../../common/audit/audit-entry.entity';
import type { Page } from '../../../../common/http/pagination';
import { ListAuditEntriesQuery } from './list-audit-entries.query';
import { timeWindow } from '../../../../common/database/time-window';

@QueryHandler(ListAuditEntriesQuery)
export class ListAuditEntriesHandler implements IQueryHandler<ListAuditEntriesQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, filter, page, pageSize }: ListAuditEntriesQuery): Promise<Page<AuditEntry>> {
    const where: FilterQuery<AuditEntry> = { tenantId };
    if (filter.resourceType) where.resourceType = filter.resourceType;
    if (filter.resourceId) where.resourceId = filter.resourceId;
    if (filter.action) where.action = filter.action;
    if (filter.actorApiKeyId) where.actorApiKeyId = filter.actorApiKeyId;
    const window = timeWindow(filter.since, filter.until);
    if (window) where.createdAt = window;
    const [items, total] = await this.em.findAndCount(AuditEntry, where, {
      orderBy: { createdAt: 'desc', id: 'asc' },
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items, total, page, pageSize };
  }
}
