import { Query } from '@nestjs/cqrs';

export interface WebhookSecret {
  secret: string;
  /** While the previous secret still signs (after a rotation), when it stops. */
  previousSecretExpiresAt: Date | null;
}

export class GetWebhookSecretQuery extends Query<WebhookSecret> {
  constructor(
    readonly tenantId: string,
    readonly webhookId: string,
  ) {
    super();
  }
}
