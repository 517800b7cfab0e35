import { Inject } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { inUnitOfWork } from '../../../../common/cqrs/command-pipeline';
import { CommonError } from '../../../../common/errors/domain-error';
import { contextOrFork } from '../../../../common/database/context-or-fork';
import { SafeHttpClient } from '../../../../common/outbound/safe-http-client';
import { Webhook } from '../../domain/webhook.entity';
import { EventTypeCatalog } from '../../infrastructure/event-type-catalog';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { verifyEndpoint } from '../../infrastructure/endpoint-verification';
import { WebhookSender } from '../../infrastructure/webhook-sender';
import { CreateWebhookCommand } from './create-webhook.command';

/**
 * UC-WH-01: checks the URL (BR-WH-01), the event types and the tenant's limit (BR-WH-07), sends the endpoint a
 * signed verification request that must answer 2xx, then stores the webhook active. The command runs without
 * the unit of work: the verification may take VERIFICATION_TIMEOUT_SECONDS, and a transaction open meanwhile
 * would hold one of the pool's connections, so that a few slow receivers could starve every other request.
 * The limit is checked before the request (a tenant at its limit costs no outbound call) and again, under the
 * tenant row lock, in the short transaction that stores the webhook and its WebhookCreated event. Nothing is
 * stored when any step fails.
 */
@CommandHandler(CreateWebhookCommand)
export class CreateWebhookHandler implements ICommandHandler<CreateWebhookCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly catalog: EventTypeCatalog,
    private readonly http: SafeHttpClient,
    private readonly sender: WebhookSender,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, settings, secret: chosenSecret }: CreateWebhookCommand): Promise<Webhook> {
    const { maxPerTenant, verifyOnCreate } = this.config.webhooks;
    assertAllowedUrl(this.http, settings.url);
    await this.catalog.assertSubscribable(actor.tenantId, settings.eventTypes);
    if (settings.integrationId) await this.assertOwnIntegration(actor.tenantId, settings.integrationId);
    await contextOrFork(this.em).getRepository<Webhook, WebhookRepository>(Webhook).assertRoomForWebhook(actor.tenantId, maxPerTenant, { lock: false });
    const { webhook, secret } = Webhook.create(actor.tenantId, settings, actor.apiKeyId, this.vault, new Date(), chosenSecret);
    if (verifyOnCreate) await verifyEndpoint(this.sender, { url: webhook.url, secrets: [secret], webhookId: webhook.id, eventTypes: webhook.eventTypes, timeoutSeconds: webhook.timeoutSeconds });
    return inUnitOfWork(this.em, actor, async (em) => {
      await em.getRepository<Webhook, WebhookRepository>(Webhook).assertRoomForWebhook(actor.tenantId, maxPerTenant);
      em.persist(webhook);
      return webhook;
    });
  }

  /** A webhook may name an integration of its own tenant only; another tenant's reads as a missing one. */
  private async assertOwnIntegration(tenantId: string, integrationId: string): Promise<void> {
    const found: unknown[] = await this.em.getConnection().execute('SELECT 1 FROM integration WHERE id = ? AND tenant_id = ?', [integrationId, tenantId]);
    if (!found.length) throw CommonError.validation([{ field: 'integrationId', messages: ['no integration of this tenant has this id'] }]);
  }
}

/** BR-WH-01 as a 400 naming `url`: HTTPS only, loopback only when the operator allows it, no private addresses. */
export function assertAllowedUrl(http: SafeHttpClient, url: string): void {
  const problem = http.problemWith(url);
  if (problem) throw CommonError.validation([{ field: 'url', messages: [problem] }]);
}
