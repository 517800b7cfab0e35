import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { Tenant } from '../../domain/tenant.entity';

export class ListTenantsQuery extends Query<Page<Tenant>> {
  constructor(
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
