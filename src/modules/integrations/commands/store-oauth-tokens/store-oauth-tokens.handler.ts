import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { StoredOAuthTokens, StoreOAuthTokensCommand } from './store-oauth-tokens.command';

@CommandHandler(StoreOAuthTokensCommand)
export class StoreOAuthTokensHandler implements ICommandHandler<StoreOAuthTokensCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ tenantId, integrationId, tokens, origin }: StoreOAuthTokensCommand): Promise<StoredOAuthTokens> {
    // Locked, so that a disconnection committing while the provider issued these tokens is seen here: without the
    // lock, they would be written onto the Disconnected row.
    const integration = await this.integrations.getOfTenant(tenantId, integrationId, { lock: true });
    const rotated = origin === 'refresh' && integration.oauthTokens(this.vault)?.refreshToken !== tokens.refreshToken;
    if (!integration.storeOAuthTokens(tokens, this.vault)) {
      this.integrations.getEntityManager().persist(
        IntegrationLog.write({
          tenantId,
          integrationId,
          logLevel: 'Warning',
          message: `${origin === 'authorization' ? 'Access granted at the provider' : 'Access token refreshed'}, but the integration is ${integration.status}; tokens dropped`,
          details: { origin },
        }),
      );
      return { integration, stored: false };
    }
    this.integrations.getEntityManager().persist(
      IntegrationLog.write({
        tenantId,
        integrationId,
        logLevel: 'Information',
        message: origin === 'authorization' ? 'Access granted at the provider; tokens stored' : 'Access token refreshed',
        details: { expiresAt: tokens.expiresAt, scope: tokens.scope, ...(origin === 'refresh' ? { refreshTokenRotated: rotated } : {}) },
      }),
    );
    return { integration, stored: true };
  }
}
