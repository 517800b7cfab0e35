import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { ApiKey } from '../../domain/api-key.entity';
import { ApiKeyError, ApiKeyErrorCode } from '../../domain/api-key.errors';
import { ApiKeyRepository } from '../../infrastructure/api-key.repository';
import { ApiKeyVerifier } from '../../infrastructure/api-key-verifier';
import { assertWithinActorScopes } from '../generate-api-key/generate-api-key.handler';
import { RevokeApiKeyCommand } from './revoke-api-key.command';

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand> {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: ApiKeyRepository,
    private readonly verifier: ApiKeyVerifier,
  ) {}

  async execute({ actor, apiKeyId, reason }: RevokeApiKeyCommand): Promise<ApiKey> {
    const key = await this.keys.getOfTenant(actor.tenantId, apiKeyId, { lock: true });
    assertWithinActorScopes(actor.scopes, key.scopes);
    if (key.isBootstrap) {
      throw new ApiKeyError(ApiKeyErrorCode.BootstrapKeyImmutable, 'The bootstrap key is managed by BOOTSTRAP_API_KEY; change the environment instead');
    }
    key.revoke(actor.apiKeyId, reason);
    await afterCommit(() => this.verifier.invalidateEverywhere(key.id));
    return key;
  }
}
