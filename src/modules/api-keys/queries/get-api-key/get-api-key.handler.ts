import { InjectRepository } from '@mikro-orm/nestjs';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ApiKey } from '../../domain/api-key.entity';
import { ApiKeyRepository } from '../../infrastructure/api-key.repository';
import { GetApiKeyQuery } from './get-api-key.query';

@QueryHandler(GetApiKeyQuery)
export class GetApiKeyHandler implements IQueryHandler<GetApiKeyQuery> {
  constructor(@InjectRepository(ApiKey) private readonly keys: ApiKeyRepository) {}

  execute({ tenantId, apiKeyId }: GetApiKeyQuery): Promise<ApiKey> {
    return this.keys.getOfTenant(tenantId, apiKeyId);
  }
}
