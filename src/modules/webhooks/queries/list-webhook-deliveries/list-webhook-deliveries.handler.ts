import { InjectRepository } from '@mikro-orm/nestjs';
import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookDelivery } from '../../domain/webhook-delivery.entity';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { ListWebhookDeliveriesQuery } from './list-webhook-deliveries.query';
import { timeWindow } from '../../../../common/database/time-window';

/** The delivery log of one webhook, newest first, without payloads (GET one delivery for its body and attempts). */
@QueryHandler(ListWebhookDeliveriesQuery)
export class ListWebhookDeliveriesHandler implements IQueryHandler<ListWebhookDeliveriesQuery> {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    private readonly em: EntityManager,
  ) {}

  async execute({ tenantId, webhookId, filter, page, pageSize }: ListWebhookDeliveriesQuery): Promise<Page<WebhookDelivery>> {
    await this.webhooks.getOfTenant(tenantId, webhookId);
    const where: FilterQuery<WebhookDelivery> = { tenantId, webhookId };
    if (filter.status) where.status = filter.status;
    if (filter.eventType) where.eventType = filter.eventType;
    const window = timeWindow(filter.from, filter.to);
    if (window) where.scheduledAt = window;
    const [items, total] = await this.em.findAndCount(WebhookDelivery, where, {
      orderBy: { scheduledAt: 'desc', id: 'asc' },
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items, total, page, pageSize };
  }
}
