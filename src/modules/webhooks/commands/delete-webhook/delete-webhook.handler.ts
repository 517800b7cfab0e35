import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { DeleteWebhookCommand } from './delete-webhook.command';

/** Deletes the webhook and its delivery log (ON DELETE CASCADE); queued jobs find nothing and are skipped. */
@CommandHandler(DeleteWebhookCommand)
export class DeleteWebhookHandler implements ICommandHandler<DeleteWebhookCommand> {
  constructor(@InjectRepository(Webhook) private readonly webhooks: WebhookRepository) {}

  async execute({ actor, webhookId }: DeleteWebhookCommand): Promise<void> {
    const webhook = await this.webhooks.getOfTenant(actor.tenantId, webhookId);
    webhook.markDeleted(actor.apiKeyId);
    // A native delete keeps the entity in the unit of work, so its WebhookDeleted event still reaches the
    // outbox (the unit of work collects events from managed entities after the flush; em.remove unmanages it).
    await this.webhooks.nativeDelete({ id: webhook.id });
  }
}
