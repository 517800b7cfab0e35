import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../common/crypto/secret-vault';
import { REDIS } from '../../../common/redis/redis.module';
import { RecordOAuthRefreshFailureCommand } from '../commands/record-oauth-refresh-failure/record-oauth-refresh-failure.command';
import { StoreOAuthTokensCommand } from '../commands/store-oauth-tokens/store-oauth-tokens.command';
import { Integration, OAuthTokens } from '../domain/integration.entity';
import { stringAt } from '../providers/configuration-checks';
import { Configuration, ProviderCallError } from '../providers/provider-adapter';
import { ProviderHttpFactory } from '../providers/provider-http';
import { ProviderRegistry } from '../providers/provider-registry';

/** Compare-and-delete: only the holder of the lock releases it, never a replica whose lock expired meanwhile. */
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const LOCK_POLL_MS = 50;

export interface OAuthIntegration {
  id: string;
  tenantId: string;
  provider: string;
  configuration: Configuration;
}

/**
 * OAuth tokens of calendar integrations: the authorization-code exchange (with the PKCE verifier) and refresh
 * before expiry. A refresh happens under a Redis lock per integration, so across every replica one refresh
 * runs at a time: the others wait and use the tokens it saved. That matters because providers rotate
 * refresh tokens: a second refresh with the old token would be refused, and could revoke the grant.
 */
@Injectable()
export class OAuthTokenService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly em: EntityManager,
    private readonly commands: CommandBus,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    private readonly registry: ProviderRegistry,
    private readonly httpFactory: ProviderHttpFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Where to send the user (UC-IM-03 step 2). */
  authorizationUrl(integration: OAuthIntegration, state: string, codeChallenge: string, redirectUri: string): string {
    const oauth = this.oauthOf(integration.provider);
    const url = new URL(oauth.authorizeUrl(integration.configuration, this.config.integrations.providerUrls));
    const parameters: Record<string, string> = {
      response_type: 'code',
      client_id: stringAt(integration.configuration, 'clientId')!,
      redirect_uri: redirectUri,
      scope: oauth.scopes(integration.configuration),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      ...oauth.authorizeParameters,
    };
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    return url.toString();
  }

  /** UC-IM-03 step 4: the authorization code and the PKCE verifier for the first tokens. */
  async exchangeCode(integration: OAuthIntegration, code: string, codeVerifier: string, redirectUri: string): Promise<OAuthTokens> {
    return this.requestTokens(integration, 'authorization-code', { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: redirectUri }, null);
  }

  /** A valid access token, refreshed first when it expires within INTEGRATIONS_OAUTH_REFRESH_BEFORE_EXPIRY_SECONDS. */
  async accessTokenFor(integration: OAuthIntegration): Promise<string> {
    const tokens = await this.storedTokens(integration.id);
    if (!this.expiresSoon(tokens)) return tokens.accessToken;
    return this.refreshUnderLock(integration);
  }

  private async refreshUnderLock(integration: OAuthIntegration): Promise<string> {
    const { refreshLockMs } = this.config.integrations.oauth;
    const lock = `integration-oauth-refresh:${integration.id}`;
    const owner = randomUUID();
    const giveUpAt = Date.now() + refreshLockMs;
    for (;;) {
      if ((await this.redis.set(lock, owner, 'PX', refreshLockMs, 'NX')) === 'OK') {
        try {
          // Another replica may have refreshed between our read and our lock.
          const current = await this.storedTokens(integration.id);
          return this.expiresSoon(current) ? await this.refresh(integration, current) : current.accessToken;
        } finally {
          await this.redis.eval(RELEASE_LOCK, 1, lock, owner);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      const tokens = await this.storedTokens(integration.id);
      if (!this.expiresSoon(tokens)) return tokens.accessToken;
      if (Date.now() > giveUpAt) throw new ProviderCallError('unavailable', 'Another replica is still refreshing the access token');
    }
  }

  private async refresh(integration: OAuthIntegration, current: OAuthTokens): Promise<string> {
    if (!current.refreshToken) {
      await this.recordRefreshFailure(integration, 'The provider issued no refresh token; authorize again');
      throw new ProviderCallError('authentication', 'The access token expired and there is no refresh token; authorize again');
    }
    let tokens: OAuthTokens;
    try {
      tokens = await this.requestTokens(integration, 'refresh-token', { grant_type: 'refresh_token', refresh_token: current.refreshToken }, current.refreshToken);
    } catch (error) {
      if (!(error instanceof ProviderCallError) || error.failure === 'unavailable') throw error;
      // A refusal (invalid_grant, revoked consent) counts toward disconnection, which is its consequence:
      // until then the check fails as transient, rather than suspending the integration or putting it in Error.
      await this.recordRefreshFailure(integration, error.message);
      throw new ProviderCallError('unavailable', `The provider refused to refresh the access token: ${error.message}`);
    }
    const { stored } = await this.commands.execute(new StoreOAuthTokensCommand(integration.tenantId, integration.id, tokens, 'refresh'));
    // Disconnected during the refresh: the tokens were dropped, and nothing is to be asked of the provider with them.
    if (!stored) throw new ProviderCallError('authentication', 'The integration was disconnected while its access token was refreshed; authorize it again');
    return tokens.accessToken;
  }

  private async requestTokens(integration: OAuthIntegration, operation: string, grant: Record<string, string>, previousRefreshToken: string | null): Promise<OAuthTokens> {
    const oauth = this.oauthOf(integration.provider);
    const { body } = await this.httpFactory.forIntegration(integration.id, integration.provider).send({
      operation: `oauth-${operation}`,
      method: 'POST',
      url: oauth.tokenUrl(integration.configuration, this.config.integrations.providerUrls),
      form: { ...grant, client_id: stringAt(integration.configuration, 'clientId')!, client_secret: stringAt(integration.configuration, 'clientSecret')! },
    });
    if (typeof body.access_token !== 'string') throw new ProviderCallError('unavailable', 'The token endpoint answered without an access token');
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
    return {
      accessToken: body.access_token,
      // Providers that rotate send a new refresh token; the others keep the one we have.
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : previousRefreshToken,
      expiresAt: new Date(Date.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000).toISOString(),
      scope: typeof body.scope === 'string' ? body.scope : null,
    };
  }

  private async recordRefreshFailure(integration: OAuthIntegration, reason: string): Promise<void> {
    await this.commands.execute(new RecordOAuthRefreshFailureCommand(integration.tenantId, integration.id, reason));
  }

  private async storedTokens(integrationId: string): Promise<OAuthTokens> {
    const integration = await this.em.fork().findOne(Integration, integrationId);
    const tokens = integration?.oauthTokens(this.vault);
    if (!tokens) throw new ProviderCallError('authentication', 'The integration has no access token; authorize it first');
    return tokens;
  }

  private expiresSoon(tokens: OAuthTokens): boolean {
    return new Date(tokens.expiresAt).getTime() - Date.now() <= this.config.integrations.oauth.refreshBeforeExpirySeconds * 1000;
  }

  private oauthOf(provider: string) {
    const oauth = this.registry.get(provider).oauth;
    if (!oauth) throw new Error(`${provider} does not use OAuth`);
    return oauth;
  }
}
