import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AuditEntry } from '../../../../common/audit/audit-entry.entity';
import type { Scope } from '../../../../common/auth/scopes';
import type { Page } from '../../../../common/http/pagination';
import { ListAuditEntriesQuery } from './list-audit-entries.query';
import { timeWindow } from '../../../../common/database/time-window';

const PLATFORM_ADMIN: Scope = 'platform:admin';

/**
 * The operator's tenant also holds a copy of each action its keys took on another tenant (creating, changing a
 * tenant and its first key: names, limits, ids; stageDomainEvents). That is the tenant directory, which only
 * platform:admin may read (GET /api/tenants): for any other key of that tenant the trail is its own tenant's.
 * A copy is the entry filed under another tenant than its event's: every event carries its tenant, and its
 * fields are the entry's details, so `details.tenantId` differs from the entry's tenant exactly on the copies
 * (and is missing on none; were it ever missing, the entry would be hidden, not shown).
 */
@QueryHandler(ListAuditEntriesQuery)
export class ListAuditEntriesHandler implements IQueryHandler<ListAuditEntriesQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ reader, filter, page, pageSize }: ListAuditEntriesQuery): Promise<Page<AuditEntry>> {
    const { tenantId } = reader;
    const where: FilterQuery<AuditEntry> = { tenantId };
    if (!reader.scopes.includes(PLATFORM_ADMIN)) where.details = { tenantId };
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
