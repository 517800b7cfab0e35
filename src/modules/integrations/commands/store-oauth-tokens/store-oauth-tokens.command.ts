import { Command } from '@nestjs/cqrs';
import type { Integration, OAuthTokens } from '../../domain/integration.entity';

export interface StoredOAuthTokens {
  integration: Integration;
  /** False when the integration was disconnected meanwhile and the tokens were dropped (see `Integration.storeOAuthTokens`). */
  stored: boolean;
}

/** Seals new OAuth tokens: the first ones from the authorization code, or a refresh (rotated refresh token included). */
export class StoreOAuthTokensCommand extends Command<StoredOAuthTokens> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
    readonly tokens: OAuthTokens,
    readonly origin: 'authorization' | 'refresh',
  ) {
    super();
  }
}
