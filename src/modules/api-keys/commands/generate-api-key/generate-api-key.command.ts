import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { ApiKey } from '../../domain/api-key.entity';

export interface GeneratedApiKey {
  apiKey: ApiKey;
  /** The secret, shown once (BR-AK-02). */
  token: string;
}

export class GenerateApiKeyCommand extends Command<GeneratedApiKey> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly keyName: string,
    readonly scopes: string[],
    readonly expiresAt: Date | null,
    readonly rateLimitPerHour: number | undefined,
  ) {
    super();
  }
}
