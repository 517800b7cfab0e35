import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { EventTypeDefinition } from '../../domain/event-type-definition.entity';

export class RegisterEventTypeCommand extends Command<EventTypeDefinition> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly name: string,
    readonly description: string | null,
    readonly schema: Record<string, unknown> | null,
  ) {
    super();
  }
}
