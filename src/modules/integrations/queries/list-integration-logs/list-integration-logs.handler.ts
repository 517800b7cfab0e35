import { InjectRepository } from '@mikro-orm/nestjs';
import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { ListIntegrationLogsQuery } from './list-integration-logs.query';

@QueryHandler(ListIntegrationLogsQuery)
export class ListIntegrationLogsHandler implements IQueryHandler<ListIntegrationLogsQuery> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    private readonly em: EntityManager,
  ) {}

  async execute({ tenantId, integrationId, page, pageSize, logLevel }: ListIntegrationLogsQuery): Promise<Page<IntegrationLog>> {
    // 404 for another tenant's integration, as for every other read.
    await this.integrations.getOfTenant(tenantId, integrationId);
    const where: FilterQuery<IntegrationLog> = { tenantId, integrationId };
    if (logLevel) where.logLevel = logLevel;
    const [items, total] = await this.em.findAndCount(IntegrationLog, where, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: pageSize, offset: (page - 1) * pageSize });
    return { items, total, page, pageSize };
  }
}
