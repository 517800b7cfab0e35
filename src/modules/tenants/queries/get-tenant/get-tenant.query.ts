import { Query } from '@nestjs/cqrs';
import type { Tenant } from '../../domain/tenant.entity';

export class GetTenantQuery extends Query<Tenant> {
  constructor(readonly tenantId: string) {
    super();
  }
}
