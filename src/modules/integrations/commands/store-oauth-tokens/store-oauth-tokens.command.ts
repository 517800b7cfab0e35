import { Command } from '@nestjs/cqrs';
import type { Integration, OAuthTokens } from '../../domain/integration.entity';

/** Seals new OAuth tokens: the first ones from the authorization code, or a refresh (rotated refresh token included). */
export class StoreOAuthTokensCommand extends Command<Integration> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
    readonly tokens: OAuthTokens,
    readonly origin: 'authorization' | 'refresh',
  ) {
    super();
  }
}
