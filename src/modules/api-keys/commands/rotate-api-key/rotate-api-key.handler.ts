import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { ApiKey } from '../../domain/api-key.entity';
import { ApiKeyRepository } from '../../infrastructure/api-key.repository';
import { ApiKeyVerifier } from '../../infrastructure/api-key-verifier';
import { assertWithinActorScopes } from '../generate-api-key/generate-api-key.handler';
import { RotateApiKeyCommand, RotatedApiKey } from './rotate-api-key.command';

@CommandHandler(RotateApiKeyCommand)
export class RotateApiKeyHandler implements ICommandHandler<RotateApiKeyCommand> {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: ApiKeyRepository,
    private readonly verifier: ApiKeyVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, apiKeyId, gracePeriodSeconds }: RotateApiKeyCommand): Promise<RotatedApiKey> {
    const grace = gracePeriodSeconds ?? this.config.apiKeys.rotationGraceSeconds;
    // During the grace period both keys are active: the new one needs room under BR-AK-03 too, so the tenant is
    // locked, before the key as generation locks it. The key is locked either way: a second rotation must see
    // this one's replacement, and the replacement must copy scopes that a concurrent update may narrow.
    if (grace > 0) await this.keys.lockTenant(actor.tenantId);
    const previous = await this.keys.getOfTenant(actor.tenantId, apiKeyId, { lock: true });
    assertWithinActorScopes(actor.scopes, previous.scopes);
    if (grace > 0) await this.keys.assertRoomForKeys(actor.tenantId, 1, this.config.apiKeys.maxActivePerTenant);
    const { apiKey, token } = previous.rotate(grace, actor.apiKeyId);
    this.keys.getEntityManager().persist(apiKey);
    // The old key's validity shrank to the grace period: replicas must re-read it.
    await afterCommit(() => this.verifier.invalidateEverywhere(previous.id));
    return { previous, current: apiKey, token };
  }
}
