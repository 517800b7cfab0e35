import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';

export class RecoverWebhookDeliveriesCommand extends Command<number> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly webhookId: string,
    /** Failed and expired deliveries scheduled at or after this time are sent again. */
    readonly since: Date,
  ) {
    super();
  }
}
