import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { inUnitOfWork } from '../../../../common/cqrs/command-pipeline';
import { contextOrFork } from '../../../../common/database/context-or-fork';
import { SafeHttpClient } from '../../../../common/outbound/safe-http-client';
import { isSuccess } from '../../domain/delivery-policy';
import { VERIFICATION_EVENT_TYPE } from '../../domain/event-catalog';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookError, WebhookErrorCode } from '../../domain/webhook.errors';
import { webhookBody } from '../../domain/webhook-signature';
import { EventTypeCatalog } from '../../infrastructure/event-type-catalog';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { WebhookSender } from '../../infrastructure/webhook-sender';
import { assertAllowedUrl } from '../create-webhook/create-webhook.handler';
import { UpdateWebhookCommand } from './update-webhook.command';

/** The verification request waits at most this long, whatever the webhook's own timeout: it holds an API request. */
const VERIFICATION_TIMEOUT_SECONDS = 10;

/**
 * PUT /api/webhooks/{id}: the same checks as creation for what changes; `isActive` disables or re-enables.
 * A new URL gets the signed verification request that creation sends (WEBHOOK_VERIFY_ON_CREATE) and must answer
 * 2xx: otherwise a tenant could create a webhook on its own endpoint, then point it at a third party's that never
 * agreed to receive anything. As in creation, the request is sent before any transaction opens (the command runs
 * without the unit of work, so a slow receiver holds no pooled connection), signed with the webhook's current
 * secrets, and a refusal changes nothing. The change itself is applied in a short transaction of its own.
 */
@CommandHandler(UpdateWebhookCommand)
export class UpdateWebhookHandler implements ICommandHandler<UpdateWebhookCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly catalog: EventTypeCatalog,
    private readonly http: SafeHttpClient,
    private readonly sender: WebhookSender,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, webhookId, changes }: UpdateWebhookCommand): Promise<Webhook> {
    if (changes.url !== undefined) assertAllowedUrl(this.http, changes.url);
    if (changes.eventTypes) await this.catalog.assertSubscribable(actor.tenantId, changes.eventTypes);
    const current = await repositoryOf(contextOrFork(this.em)).getOfTenant(actor.tenantId, webhookId, { withSecrets: true });
    if (this.config.webhooks.verifyOnCreate && changes.url !== undefined && changes.url !== current.url) {
      await verifyEndpoint(this.sender, {
        url: changes.url,
        secrets: current.signingSecrets(this.vault),
        webhookId,
        eventTypes: changes.eventTypes ?? current.eventTypes,
        timeoutSeconds: changes.timeoutSeconds ?? current.timeoutSeconds,
      });
    }
    return inUnitOfWork(this.em, actor, async (em) => {
      const webhook = await repositoryOf(em).getOfTenant(actor.tenantId, webhookId);
      webhook.update(changes, actor.apiKeyId);
      return webhook;
    });
  }
}

function repositoryOf(em: EntityManager): WebhookRepository {
  return em.getRepository<Webhook, WebhookRepository>(Webhook);
}

/** UC-WH-01 step 6 for an endpoint: a signed WebhookVerification request that must answer 2xx, else a 422 naming `url`. */
export async function verifyEndpoint(
  sender: WebhookSender,
  endpoint: { url: string; secrets: string[]; webhookId: string; eventTypes: string[]; timeoutSeconds: number },
): Promise<void> {
  const result = await sender.send({
    url: endpoint.url,
    secrets: endpoint.secrets,
    messageId: randomUUID(),
    body: webhookBody(VERIFICATION_EVENT_TYPE, new Date(), { webhookId: endpoint.webhookId, eventTypes: endpoint.eventTypes }),
    timeoutSeconds: Math.min(endpoint.timeoutSeconds, VERIFICATION_TIMEOUT_SECONDS),
  });
  if (!isSuccess(result.statusCode)) {
    throw WebhookError.onField(WebhookErrorCode.VerificationFailed, 'url', [
      `the verification request did not get a 2xx answer: ${result.error ?? `HTTP ${result.statusCode}`}`,
    ]);
  }
}
