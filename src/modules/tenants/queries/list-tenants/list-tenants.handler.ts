import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { Tenant } from '../../domain/tenant.entity';
import { ListTenantsQuery } from './list-tenants.query';

@QueryHandler(ListTenantsQuery)
export class ListTenantsHandler implements IQueryHandler<ListTenantsQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ page, pageSize }: ListTenantsQuery): Promise<Page<Tenant>> {
    const [items, total] = await this.em.findAndCount(Tenant, {}, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: pageSize, offset: (page - 1) * pageSize });
    return { items, total, page, pageSize };
  }
}
