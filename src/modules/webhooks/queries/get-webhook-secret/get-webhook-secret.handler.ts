import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { GetWebhookSecretQuery, WebhookSecret } from './get-webhook-secret.query';

/** The one place the signing secret leaves the service (DESIGN.md: only through its own endpoint). */
@QueryHandler(GetWebhookSecretQuery)
export class GetWebhookSecretHandler implements IQueryHandler<GetWebhookSecretQuery> {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ tenantId, webhookId }: GetWebhookSecretQuery): Promise<WebhookSecret> {
    const webhook = await this.webhooks.getOfTenant(tenantId, webhookId, { withSecrets: true });
    const now = new Date();
    const [secret] = webhook.signingSecrets(this.vault, now);
    const previousValid = webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > now;
    return { secret, previousSecretExpiresAt: previousValid ? webhook.previousSecretExpiresAt : null };
  }
}
