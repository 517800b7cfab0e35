import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { ApiKey } from '../../domain/api-key.entity';

export interface RotatedApiKey {
  previous: ApiKey;
  current: ApiKey;
  /** The new key's secret, shown once. */
  token: string;
}

export class RotateApiKeyCommand extends Command<RotatedApiKey> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly apiKeyId: string,
    /** How long the old key keeps working; undefined takes API_KEYS_ROTATION_GRACE_SECONDS. */
    readonly gracePeriodSeconds: number | undefined,
  ) {
    super();
  }
}
