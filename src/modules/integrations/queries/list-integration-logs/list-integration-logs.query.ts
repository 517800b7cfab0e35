import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { IntegrationLog } from '../../domain/integration-log.entity';
import type { LogLevel } from '../../domain/integration-types';

export class ListIntegrationLogsQuery extends Query<Page<IntegrationLog>> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
    readonly page: number,
    readonly pageSize: number,
    readonly logLevel?: LogLevel,
  ) {
    super();
  }
}
