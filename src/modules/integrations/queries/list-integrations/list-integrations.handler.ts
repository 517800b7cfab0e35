import { InjectRepository } from '@mikro-orm/nestjs';
import type { FilterQuery } from '@mikro-orm/core';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { Integration } from '../../domain/integration.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { ListIntegrationsQuery } from './list-integrations.query';

@QueryHandler(ListIntegrationsQuery)
export class ListIntegrationsHandler implements IQueryHandler<ListIntegrationsQuery> {
  constructor(@InjectRepository(Integration) private readonly integrations: IntegrationRepository) {}

  async execute({ tenantId, page, pageSize, filters }: ListIntegrationsQuery): Promise<Page<Integration>> {
    const where: FilterQuery<Integration> = { tenantId };
    if (filters.type) where.integrationType = filters.type;
    if (filters.status) where.status = filters.status;
    // Providers are stored in their adapter's spelling; the filter ignores case like creation does.
    if (filters.provider) where.provider = { $ilike: filters.provider.replace(/[\\%_]/g, (c) => `\\${c}`) };
    const [items, total] = await this.integrations.findAndCount(where, {
      orderBy: { createdAt: 'desc', id: 'asc' },
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items, total, page, pageSize };
  }
}
