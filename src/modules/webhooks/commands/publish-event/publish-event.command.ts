import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import { WithoutUnitOfWork } from '../../../../common/cqrs/command-pipeline';

export interface PublishedEvent {
  id: string;
  eventType: string;
  occurredAt: Date;
  /** True when the idempotency key was seen within the window: this is the first publication's result. */
  duplicate: boolean;
}

/** Writes its own event (see the handler): a unit of work would add BEGIN and COMMIT round trips to every publication. */
@WithoutUnitOfWork()
export class PublishEventCommand extends Command<PublishedEvent> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly eventType: string,
    readonly data: Record<string, unknown>,
    readonly idempotencyKey: string | undefined,
  ) {
    super();
  }
}
