import { Command } from '@nestjs/cqrs';
import type { Integration } from '../../domain/integration.entity';

/** The provider refused a token refresh; after INTEGRATIONS_OAUTH_DISCONNECT_AFTER_REFRESH_FAILURES the integration is Disconnected. */
export class RecordOAuthRefreshFailureCommand extends Command<Integration> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
    readonly reason: string,
  ) {
    super();
  }
}
