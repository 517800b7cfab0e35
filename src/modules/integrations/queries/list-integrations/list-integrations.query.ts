import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { Integration } from '../../domain/integration.entity';
import type { IntegrationStatus, IntegrationType } from '../../domain/integration-types';

export interface IntegrationFilters {
  type?: IntegrationType;
  status?: IntegrationStatus;
  provider?: string;
}

/** A row of the list: the integration without its configuration or tokens (read model, not the aggregate). */
export type IntegrationSummary = Pick<
  Integration,
  | 'id'
  | 'name'
  | 'integrationType'
  | 'provider'
  | 'status'
  | 'statusReason'
  | 'isEnabled'
  | 'healthStatus'
  | 'lastHealthCheck'
  | 'lastSyncTime'
  | 'createdAt'
  | 'createdBy'
  | 'modifiedAt'
  | 'modifiedBy'
>;

export class ListIntegrationsQuery extends Query<Page<IntegrationSummary>> {
  constructor(
    readonly tenantId: string,
    readonly page: number,
    readonly pageSize: number,
    readonly filters: IntegrationFilters,
  ) {
    super();
  }
}
