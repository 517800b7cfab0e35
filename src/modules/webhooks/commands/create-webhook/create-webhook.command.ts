import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Webhook, WebhookSettings } from '../../domain/webhook.entity';

export class CreateWebhookCommand extends Command<Webhook> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly settings: WebhookSettings,
  ) {
    super();
  }
}
