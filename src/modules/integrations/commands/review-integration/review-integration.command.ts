import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Integration } from '../../domain/integration.entity';

/** BR-IM-05: someone looked at an integration in Error; it goes back to Draft, to be fixed and tested. */
export class ReviewIntegrationCommand extends Command<Integration> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly integrationId: string,
    readonly note: string,
  ) {
    super();
  }
}
