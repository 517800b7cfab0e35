import { Query } from '@nestjs/cqrs';
import type { IntegrationSettings } from '../../domain/integration-settings.entity';

export class GetIntegrationSettingsQuery extends Query<IntegrationSettings> {
  constructor(readonly tenantId: string) {
    super();
  }
}
