import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';

export interface CatalogEntry {
  name: string;
  /** `Domain`: raised by this service; `Application`: registered by the tenant, published through POST /api/events. */
  source: 'Domain' | 'Application';
  description: string | null;
  schema: Record<string, unknown> | null;
  createdAt: Date | null;
}

export class ListEventTypesQuery extends Query<Page<CatalogEntry>> {
  constructor(
    readonly tenantId: string,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
