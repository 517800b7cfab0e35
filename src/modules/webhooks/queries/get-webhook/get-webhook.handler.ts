import { InjectRepository } from '@mikro-orm/nestjs';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { GetWebhookQuery } from './get-webhook.query';

@QueryHandler(GetWebhookQuery)
export class GetWebhookHandler implements IQueryHandler<GetWebhookQuery> {
  constructor(@InjectRepository(Webhook) private readonly webhooks: WebhookRepository) {}

  execute({ tenantId, webhookId }: GetWebhookQuery): Promise<Webhook> {
    return this.webhooks.getOfTenant(tenantId, webhookId);
  }
}
