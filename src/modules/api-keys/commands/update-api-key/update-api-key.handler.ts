import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { ApiKey } from '../../domain/api-key.entity';
import { ApiKeyRepository } from '../../infrastructure/api-key.repository';
import { ApiKeyVerifier } from '../../infrastructure/api-key-verifier';
import { assertWithinActorScopes } from '../generate-api-key/generate-api-key.handler';
import { UpdateApiKeyCommand } from './update-api-key.command';

@CommandHandler(UpdateApiKeyCommand)
export class UpdateApiKeyHandler implements ICommandHandler<UpdateApiKeyCommand> {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: ApiKeyRepository,
    private readonly verifier: ApiKeyVerifier,
  ) {}

  async execute({ actor, apiKeyId, changes }: UpdateApiKeyCommand): Promise<ApiKey> {
    const key = await this.keys.getOfTenant(actor.tenantId, apiKeyId, { lock: true });
    // A caller may only manage keys whose scopes lie within its own.
    assertWithinActorScopes(actor.scopes, key.scopes);
    key.update(changes, actor.apiKeyId);
    // Every replica's next request gets the key's new limit from the verifier, and the rate limiter starts a lease
    // for it: the unspent part of a lease taken under the old limit is dropped then, and only then.
    await afterCommit(() => this.verifier.invalidateEverywhere(key.id));
    return key;
  }
}
