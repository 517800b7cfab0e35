import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CommonError } from '../../../../common/errors/domain-error';
import { Tenant } from '../../domain/tenant.entity';
import { GetTenantQuery } from './get-tenant.query';

@QueryHandler(GetTenantQuery)
export class GetTenantHandler implements IQueryHandler<GetTenantQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId }: GetTenantQuery): Promise<Tenant> {
    const tenant = await this.em.findOne(Tenant, tenantId);
    if (!tenant) throw CommonError.notFound('Tenant');
    return tenant;
  }
}
