import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';

export interface PublishedEvent {
  id: string;
  eventType: string;
  occurredAt: Date;
  /** True when the idempotency key was seen within the window: this is the first publication's result. */
  duplicate: boolean;
}

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
