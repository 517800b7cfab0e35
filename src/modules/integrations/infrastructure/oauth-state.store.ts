import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { REDIS } from '../../../common/redis/redis.module';

/** What the callback needs to finish an authorization, keyed by its `state`. */
export interface PendingAuthorization {
  tenantId: string;
  integrationId: string;
  codeVerifier: string;
  redirectUri: string;
  requestedBy: string | null;
}

/**
 * OAuth `state` values in Redis, each usable once (GETDEL) and only until INTEGRATIONS_OAUTH_STATE_TTL_SECONDS:
 * a replayed or forged callback finds nothing. Any replica can serve the callback.
 */
@Injectable()
export class OAuthStateStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async save(state: string, pending: PendingAuthorization): Promise<void> {
    await this.redis.set(this.key(state), JSON.stringify(pending), 'EX', this.config.integrations.oauth.stateTtlSeconds);
  }

  async take(state: string): Promise<PendingAuthorization | null> {
    const raw = await this.redis.getdel(this.key(state));
    return raw ? (JSON.parse(raw) as PendingAuthorization) : null;
  }

  private key(state: string): string {
    return `integration-oauth-state:${state}`;
  }
}
