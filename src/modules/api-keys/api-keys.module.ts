import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Tenant } from '../tenants/domain/tenant.entity';
import { EnsureBootstrapKeyHandler } from './commands/ensure-bootstrap-key/ensure-bootstrap-key.handler';
import { GenerateApiKeyHandler } from './commands/generate-api-key/generate-api-key.handler';
import { RevokeApiKeyHandler } from './commands/revoke-api-key/revoke-api-key.handler';
import { RevokeExpiredApiKeysHandler } from './commands/revoke-expired-api-keys/revoke-expired-api-keys.handler';
import { RotateApiKeyHandler } from './commands/rotate-api-key/rotate-api-key.handler';
import { UpdateApiKeyHandler } from './commands/update-api-key/update-api-key.handler';
import { ApiKey } from './domain/api-key.entity';
import { ApiKeysController } from './http/api-keys.controller';
import { CallerController } from './http/caller.controller';
import { ApiKeyGuard } from './infrastructure/api-key.guard';
import { ApiKeyRateLimiter } from './infrastructure/api-key-rate-limiter';
import { ApiKeyUsageRecorder } from './infrastructure/api-key-usage-recorder';
import { ApiKeyVerifier } from './infrastructure/api-key-verifier';
import { GetApiKeyHandler } from './queries/get-api-key/get-api-key.handler';
import { ListApiKeysHandler } from './queries/list-api-keys/list-api-keys.handler';

export const apiKeyCommandHandlers = [
  GenerateApiKeyHandler,
  UpdateApiKeyHandler,
  RevokeApiKeyHandler,
  RotateApiKeyHandler,
  RevokeExpiredApiKeysHandler,
  EnsureBootstrapKeyHandler,
];
export const apiKeyQueryHandlers = [ListApiKeysHandler, GetApiKeyHandler];

/**
 * API keys: the callers' credentials (spec §4.2) and the authentication of every route. The guard is global:
 * a route is protected unless it says @Public(). Keys are verified from an in-memory cache that Redis pub/sub
 * invalidates on every replica; usage is written in batches; the hourly limit is shared through Redis.
 */
@Module({
  imports: [MikroOrmModule.forFeature([ApiKey, Tenant])],
  controllers: [ApiKeysController, CallerController],
  providers: [
    ...apiKeyCommandHandlers,
    ...apiKeyQueryHandlers,
    ApiKeyVerifier,
    ApiKeyRateLimiter,
    ApiKeyUsageRecorder,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeyVerifier],
})
export class ApiKeysModule {}
