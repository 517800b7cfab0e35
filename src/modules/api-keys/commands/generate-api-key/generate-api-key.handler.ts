import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { missingScopes } from '../../../../common/auth/scopes';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { ApiKey } from '../../domain/api-key.entity';
import { ApiKeyError, ApiKeyErrorCode } from '../../domain/api-key.errors';
import { ApiKeyRepository } from '../../infrastructure/api-key.repository';
import { GenerateApiKeyCommand, GeneratedApiKey } from './generate-api-key.command';

@CommandHandler(GenerateApiKeyCommand)
export class GenerateApiKeyHandler implements ICommandHandler<GenerateApiKeyCommand> {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: ApiKeyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, keyName, scopes, expiresAt, rateLimitPerHour }: GenerateApiKeyCommand): Promise<GeneratedApiKey> {
    assertWithinActorScopes(actor.scopes, scopes);
    await this.keys.assertRoomForKeys(actor.tenantId, 1, this.config.apiKeys.maxActivePerTenant);
    const generated = ApiKey.generate({
      tenantId: actor.tenantId,
      keyName,
      scopes,
      expiresAt,
      rateLimitPerHour: rateLimitPerHour ?? this.config.apiKeys.defaultRateLimitPerHour,
      createdBy: actor.apiKeyId,
    });
    this.keys.getEntityManager().persist(generated.apiKey);
    return generated;
  }
}

/** No escalation: a key can only hand out scopes it holds itself (BR-AK-06, DESIGN.md). */
export function assertWithinActorScopes(actorScopes: readonly string[], requested: readonly string[]): void {
  const beyond = missingScopes(actorScopes, requested);
  if (beyond.length) {
    throw new ApiKeyError(ApiKeyErrorCode.ScopeEscalation, `A key can only grant scopes it holds; not held: ${beyond.join(', ')}`, { scopes: beyond });
  }
}
