import { Query } from '@nestjs/cqrs';
import { WithoutRequestContext } from '../../../../common/cqrs/command-pipeline';
import type { Page } from '../../../../common/http/pagination';
import type { Integration } from '../../domain/integration.entity';
import type { IntegrationStatus, IntegrationType } from '../../domain/integration-types';

export interface IntegrationFilters {
  type?: IntegrationType;
  status?: IntegrationStatus;
  provider?: string;
}

/**
 * A row of the list: the integration without its configuration or tokens (read model, not the aggregate), its
 * timestamps already the API's ISO 8601 UTC strings (the list is the hottest read; see the handler).
 */
export type IntegrationSummary = Pick<Integration, 'id' | 'name' | 'integrationType' | 'provider' | 'status' | 'statusReason' | 'isEnabled' | 'healthStatus' | 'createdBy' | 'modifiedBy'> & {
  lastHealthCheck: string | null;
  lastSyncTime: string | null;
  createdAt: string;
  modifiedAt: string | null;
};

/** Read with one prepared statement on a pooled connection (see the handler): no MikroORM context needed. */
@WithoutRequestContext()
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
