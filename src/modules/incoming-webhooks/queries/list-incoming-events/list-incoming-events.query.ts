import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { InboundEventStatus, InboundWebhookEvent } from '../../domain/inbound-webhook-event.entity';

export interface IncomingEventFilter {
  status?: InboundEventStatus;
  eventType?: string;
  since?: Date;
  until?: Date;
}

export class ListIncomingEventsQuery extends Query<Page<InboundWebhookEvent>> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
    readonly filter: IncomingEventFilter,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
