import { createHash, randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { CommonError } from '../../../../common/errors/domain-error';
import { isAllowedRedirectUrl } from '../../../../common/outbound/address-policy';
import { Integration } from '../../domain/integration.entity';
import { IntegrationError, IntegrationErrorCode } from '../../domain/integration.errors';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { OAuthStateStore } from '../../infrastructure/oauth-state.store';
import { OAuthTokenService } from '../../infrastructure/oauth-token.service';
import { ProviderRegistry } from '../../providers/provider-registry';
import { CalendarAuthorization, StartCalendarAuthorizationCommand } from './start-calendar-authorization.command';

@CommandHandler(StartCalendarAuthorizationCommand)
export class StartCalendarAuthorizationHandler implements ICommandHandler<StartCalendarAuthorizationCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    private readonly registry: ProviderRegistry,
    private readonly tokens: OAuthTokenService,
    private readonly states: OAuthStateStore,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, integrationId, redirectUri }: StartCalendarAuthorizationCommand): Promise<CalendarAuthorization> {
    // Locked, so that a disconnection committing meanwhile is seen here and refused, rather than overwritten with
    // PendingValidation that the callback would then activate.
    const integration = await this.integrations.getOfTenant(actor.tenantId, integrationId, { lock: true });
    if (!this.registry.get(integration.provider).oauth) {
      throw new IntegrationError(IntegrationErrorCode.NotOAuth, `${integration.provider} integrations are not authorized with OAuth`);
    }
    integration.startAuthorization(actor.apiKeyId);
    const state = randomBytes(32).toString('base64url');
    // RFC 7636: 32 random octets make a 43-character verifier; the provider only ever sees its SHA-256.
    const codeVerifier = randomBytes(32).toString('base64url');
    const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
    const returnTo = redirectUri ?? this.config.integrations.oauth.redirectUrl;
    if (!isAllowedRedirectUrl(returnTo)) throw CommonError.validation([{ field: 'redirectUri', messages: ['redirectUri must be an absolute https URL (plain http only to localhost)'] }]);
    const snapshot = { id: integration.id, tenantId: integration.tenantId, provider: integration.provider, configuration: integration.configuration(this.vault) };
    const authorizationUrl = this.tokens.authorizationUrl(snapshot, state, codeChallenge, returnTo);
    this.integrations.getEntityManager().persist(
      IntegrationLog.write({ tenantId: actor.tenantId, integrationId, logLevel: 'Information', message: 'Authorization started; waiting for the user to grant access', requestId: actor.requestId }),
    );
    // Only a committed start is worth a callback.
    await afterCommit(() => this.states.save(state, { tenantId: actor.tenantId, integrationId, codeVerifier, redirectUri: returnTo, requestedBy: actor.apiKeyId }));
    return { authorizationUrl, state, expiresAt: new Date(Date.now() + this.config.integrations.oauth.stateTtlSeconds * 1000) };
  }
}
