import { Query } from '@nestjs/cqrs';
import type { ApiKey } from '../../domain/api-key.entity';

export class GetApiKeyQuery extends Query<ApiKey> {
  constructor(
    readonly tenantId: string,
    readonly apiKeyId: string,
  ) {
    super();
  }
}
