import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { ApiKey } from '../../domain/api-key.entity';

export class RevokeApiKeyCommand extends Command<ApiKey> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly apiKeyId: string,
    readonly reason: string,
  ) {
    super();
  }
}
