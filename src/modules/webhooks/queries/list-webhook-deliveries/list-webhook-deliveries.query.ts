import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { DeliveryStatus } from '../../domain/delivery-policy';
import type { WebhookDelivery } from '../../domain/webhook-delivery.entity';

export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  from?: Date;
  to?: Date;
}

export class ListWebhookDeliveriesQuery extends Query<Page<WebhookDelivery>> {
  constructor(
    readonly tenantId: string,
    readonly webhookId: string,
    readonly filter: DeliveryFilter,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
