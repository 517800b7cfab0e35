import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import { WithoutUnitOfWork } from '../../../../common/cqrs/command-pipeline';
import type { Webhook, WebhookChanges } from '../../domain/webhook.entity';

/** Verifies a new URL before it opens a transaction of its own (see the handler): no unit of work around it. */
@WithoutUnitOfWork()
export class UpdateWebhookCommand extends Command<Webhook> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly webhookId: string,
    readonly changes: WebhookChanges,
  ) {
    super();
  }
}
