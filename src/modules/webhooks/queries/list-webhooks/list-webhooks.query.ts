import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { Webhook } from '../../domain/webhook.entity';

export class ListWebhooksQuery extends Query<Page<Webhook>> {
  constructor(
    readonly tenantId: string,
    readonly page: number,
    readonly pageSize: number,
    readonly isActive?: boolean,
  ) {
    super();
  }
}
