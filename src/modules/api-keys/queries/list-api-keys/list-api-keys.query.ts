import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { ApiKey, ApiKeyStatus } from '../../domain/api-key.entity';

export class ListApiKeysQuery extends Query<Page<ApiKey>> {
  constructor(
    readonly tenantId: string,
    readonly page: number,
    readonly pageSize: number,
    readonly status?: ApiKeyStatus,
  ) {
    super();
  }
}
