import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { ApiKey } from '../../domain/api-key.entity';

export class UpdateApiKeyCommand extends Command<ApiKey> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly apiKeyId: string,
    readonly changes: { keyName?: string; scopes?: string[]; rateLimitPerHour?: number },
  ) {
    super();
  }
}
