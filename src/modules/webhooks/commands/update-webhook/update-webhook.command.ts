import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Webhook, WebhookChanges } from '../../domain/webhook.entity';

export class UpdateWebhookCommand extends Command<Webhook> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly webhookId: string,
    readonly changes: WebhookChanges,
  ) {
    super();
  }
}
