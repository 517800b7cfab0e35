import { Inject } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { inUnitOfWork } from '../../../../common/cqrs/command-pipeline';
import { contextOrFork } from '../../../../common/database/context-or-fork';
import { SafeHttpClient } from '../../../../common/outbound/safe-http-client';
import { Webhook } from '../../domain/webhook.entity';
import { EventTypeCatalog } from '../../infrastructure/event-type-catalog';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { WebhookSender } from '../../infrastructure/webhook-sender';
import { verifyEndpoint } from '../../infrastructure/endpoint-verification';
import { assertAllowedUrl } from '../create-webhook/create-webhook.handler';
import { UpdateWebhookCommand } from './update-webhook.command';

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
