import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { CommonError } from '../../../../common/errors/domain-error';
import { SafeHttpClient } from '../../../../common/outbound/safe-http-client';
import { isSuccess } from '../../domain/delivery-policy';
import { VERIFICATION_EVENT_TYPE } from '../../domain/event-catalog';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookError, WebhookErrorCode } from '../../domain/webhook.errors';
import { webhookBody } from '../../domain/webhook-signature';
import { EventTypeCatalog } from '../../infrastructure/event-type-catalog';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { WebhookSender } from '../../infrastructure/webhook-sender';
import { CreateWebhookCommand } from './create-webhook.command';

/** The verification request waits at most this long, whatever the webhook's own timeout: it holds an API request. */
const VERIFICATION_TIMEOUT_SECONDS = 10;

/**
 * UC-WH-01: checks the URL (BR-WH-01) and the event types, sends the endpoint a signed verification request
 * that must answer 2xx, then stores the webhook active, within the tenant's limit (BR-WH-07). Nothing is
 * stored when any step fails.
 */
@CommandHandler(CreateWebhookCommand)
export class CreateWebhookHandler implements ICommandHandler<CreateWebhookCommand> {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    private readonly catalog: EventTypeCatalog,
    private readonly http: SafeHttpClient,
    private readonly sender: WebhookSender,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, settings }: CreateWebhookCommand): Promise<Webhook> {
    assertAllowedUrl(this.http, settings.url);
    await this.catalog.assertSubscribable(actor.tenantId, settings.eventTypes);
    const { webhook, secret } = Webhook.create(actor.tenantId, settings, actor.apiKeyId, this.vault);
    if (this.config.webhooks.verifyOnCreate) await this.verify(webhook, secret);
    await this.webhooks.assertRoomForWebhook(actor.tenantId, this.config.webhooks.maxPerTenant);
    this.webhooks.getEntityManager().persist(webhook);
    return webhook;
  }

  private async verify(webhook: Webhook, secret: string): Promise<void> {
    const result = await this.sender.send({
      url: webhook.url,
      secrets: [secret],
      messageId: randomUUID(),
      body: webhookBody(VERIFICATION_EVENT_TYPE, new Date(), { webhookId: webhook.id, eventTypes: webhook.eventTypes }),
      timeoutSeconds: Math.min(webhook.timeoutSeconds, VERIFICATION_TIMEOUT_SECONDS),
    });
    if (!isSuccess(result.statusCode)) {
      throw WebhookError.onField(WebhookErrorCode.VerificationFailed, 'url', [
        `the verification request did not get a 2xx answer: ${result.error ?? `HTTP ${result.statusCode}`}`,
      ]);
    }
  }
}

/** BR-WH-01 as a 400 naming `url`: HTTPS only, loopback only when the operator allows it, no private addresses. */
export function assertAllowedUrl(http: SafeHttpClient, url: string): void {
  const problem = http.problemWith(url);
  if (problem) throw CommonError.validation([{ field: 'url', messages: [problem] }]);
}
