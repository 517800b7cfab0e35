import { Query } from '@nestjs/cqrs';
import type { Webhook } from '../../domain/webhook.entity';

export class GetWebhookQuery extends Query<Webhook> {
  constructor(
    readonly tenantId: string,
    readonly webhookId: string,
  ) {
    super();
  }
}
