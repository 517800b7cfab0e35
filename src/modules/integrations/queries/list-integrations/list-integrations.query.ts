import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { Integration } from '../../domain/integration.entity';
import type { IntegrationStatus, IntegrationType } from '../../domain/integration-types';

export interface IntegrationFilters {
  type?: IntegrationType;
  status?: IntegrationStatus;
  provider?: string;
}

export class ListIntegrationsQuery extends Query<Page<Integration>> {
  constructor(
    readonly tenantId: string,
    readonly page: number,
    readonly pageSize: number,
    readonly filters: IntegrationFilters,
  ) {
    super();
  }
}
