import { InjectRepository } from '@mikro-orm/nestjs';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { ListWebhooksQuery } from './list-webhooks.query';

@QueryHandler(ListWebhooksQuery)
export class ListWebhooksHandler implements IQueryHandler<ListWebhooksQuery> {
  constructor(@InjectRepository(Webhook) private readonly webhooks: WebhookRepository) {}

  async execute({ tenantId, page, pageSize, isActive }: ListWebhooksQuery): Promise<Page<Webhook>> {
    const [items, total] = await this.webhooks.findAndCount(isActive === undefined ? { tenantId } : { tenantId, isActive }, {
      orderBy: { createdAt: 'desc', id: 'asc' },
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items, total, page, pageSize };
  }
}
