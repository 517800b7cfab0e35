import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { IntegrationSettings } from '../../domain/integration-settings.entity';
import { IntegrationSettingsReader } from '../../infrastructure/integration-settings.reader';
import { GetIntegrationSettingsQuery } from './get-integration-settings.query';

@QueryHandler(GetIntegrationSettingsQuery)
export class GetIntegrationSettingsHandler implements IQueryHandler<GetIntegrationSettingsQuery> {
  constructor(private readonly reader: IntegrationSettingsReader) {}

  execute({ tenantId }: GetIntegrationSettingsQuery): Promise<IntegrationSettings> {
    return this.reader.settingsOf(tenantId);
  }
}
