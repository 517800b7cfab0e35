import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { RotatedWebhookSecret, RotateWebhookSecretCommand } from './rotate-webhook-secret.command';

@CommandHandler(RotateWebhookSecretCommand)
export class RotateWebhookSecretHandler implements ICommandHandler<RotateWebhookSecretCommand> {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, webhookId, gracePeriodSeconds }: RotateWebhookSecretCommand): Promise<RotatedWebhookSecret> {
    // Locked: of two rotations at once, the second must start from the first's secret, or the first caller would
    // be handed a secret that is neither the current nor the previous one, and its receiver would refuse everything.
    const webhook = await this.webhooks.getOfTenant(actor.tenantId, webhookId, { withSecrets: true, lock: true });
    const secret = webhook.rotateSecret(this.vault, gracePeriodSeconds ?? this.config.webhooks.secretRotationGraceSeconds, actor.apiKeyId);
    return { webhook, secret };
  }
}
