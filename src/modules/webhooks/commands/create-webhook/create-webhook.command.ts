import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import { WithoutUnitOfWork } from '../../../../common/cqrs/command-pipeline';
import type { Webhook, WebhookSettings } from '../../domain/webhook.entity';

/** Verifies the endpoint before it opens a transaction of its own (see the handler): no unit of work around it. */
@WithoutUnitOfWork()
export class CreateWebhookCommand extends Command<Webhook> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly settings: WebhookSettings,
    /** The signing secret the caller chose, so that its receiver can verify the verification request; else made here. */
    readonly secret?: string,
  ) {
    super();
  }
}
