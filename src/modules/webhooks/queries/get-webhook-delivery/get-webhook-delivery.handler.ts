import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { WebhookDelivery } from '../../domain/webhook-delivery.entity';
import { WebhookDeliveryAttempt } from '../../domain/webhook-delivery-attempt.entity';
import { WebhookError, WebhookErrorCode } from '../../domain/webhook.errors';
import { DeliveryWithAttempts, GetWebhookDeliveryQuery } from './get-webhook-delivery.query';

@QueryHandler(GetWebhookDeliveryQuery)
export class GetWebhookDeliveryHandler implements IQueryHandler<GetWebhookDeliveryQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, webhookId, deliveryId }: GetWebhookDeliveryQuery): Promise<DeliveryWithAttempts> {
    const delivery = await this.em.findOne(WebhookDelivery, { id: deliveryId, webhookId, tenantId }, { populate: ['payload'] });
    if (!delivery) throw new WebhookError(WebhookErrorCode.DeliveryNotFound, 'Delivery not found');
    // By the caller's tenant too, though the delivery above is the caller's: every read of attempts filters by it.
    const attempts = await this.em.find(WebhookDeliveryAttempt, { deliveryId, tenantId }, { orderBy: { attemptNumber: 'asc', id: 'asc' } });
    return { delivery, attempts };
  }
}
