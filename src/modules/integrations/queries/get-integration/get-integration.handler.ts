import { InjectRepository } from '@mikro-orm/nestjs';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Integration } from '../../domain/integration.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { GetIntegrationQuery } from './get-integration.query';

@QueryHandler(GetIntegrationQuery)
export class GetIntegrationHandler implements IQueryHandler<GetIntegrationQuery> {
  constructor(@InjectRepository(Integration) private readonly integrations: IntegrationRepository) {}

  execute({ tenantId, integrationId }: GetIntegrationQuery): Promise<Integration> {
    return this.integrations.getOfTenant(tenantId, integrationId);
  }
}
