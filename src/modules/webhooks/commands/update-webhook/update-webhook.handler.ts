import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SafeHttpClient } from '../../../../common/outbound/safe-http-client';
import { Webhook } from '../../domain/webhook.entity';
import { EventTypeCatalog } from '../../infrastructure/event-type-catalog';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { assertAllowedUrl } from '../create-webhook/create-webhook.handler';
import { UpdateWebhookCommand } from './update-webhook.command';

/** PUT /api/webhooks/{id}: the same checks as creation for what changes; `isActive` disables or re-enables. */
@CommandHandler(UpdateWebhookCommand)
export class UpdateWebhookHandler implements ICommandHandler<UpdateWebhookCommand> {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    private readonly catalog: EventTypeCatalog,
    private readonly http: SafeHttpClient,
  ) {}

  async execute({ actor, webhookId, changes }: UpdateWebhookCommand): Promise<Webhook> {
    if (changes.url !== undefined) assertAllowedUrl(this.http, changes.url);
    if (changes.eventTypes) await this.catalog.assertSubscribable(actor.tenantId, changes.eventTypes);
    const webhook = await this.webhooks.getOfTenant(actor.tenantId, webhookId);
    webhook.update(changes, actor.apiKeyId);
    return webhook;
  }
}
