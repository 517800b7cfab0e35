import { Query } from '@nestjs/cqrs';
import type { Integration } from '../../domain/integration.entity';

export class GetIntegrationQuery extends Query<Integration> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
  ) {
    super();
  }
}
