import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import { Integration } from '../../../integrations/domain/integration.entity';
import { InboundWebhookEvent } from '../../domain/inbound-webhook-event.entity';
import { IncomingWebhookError, IncomingWebhookErrorCode } from '../../domain/incoming-webhook.errors';
import { ListIncomingEventsQuery } from './list-incoming-events.query';
import { timeWindow } from '../../../../common/database/time-window';

@QueryHandler(ListIncomingEventsQuery)
export class ListIncomingEventsHandler implements IQueryHandler<ListIncomingEventsQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, integrationId, filter, page, pageSize }: ListIncomingEventsQuery): Promise<Page<InboundWebhookEvent>> {
    // Another tenant's integration answers exactly as a missing one.
    if ((await this.em.count(Integration, { id: integrationId, tenantId })) === 0) {
      throw new IncomingWebhookError(IncomingWebhookErrorCode.NotFound, 'Integration not found');
    }
    const where: FilterQuery<InboundWebhookEvent> = { tenantId, integrationId };
    if (filter.status) where.status = filter.status;
    if (filter.eventType) where.eventType = filter.eventType;
    const window = timeWindow(filter.since, filter.until);
    if (window) where.receivedAt = window;
    const [items, total] = await this.em.findAndCount(InboundWebhookEvent, where, {
      orderBy: { receivedAt: 'desc', id: 'asc' },
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return { items, total, page, pageSize };
  }
}
