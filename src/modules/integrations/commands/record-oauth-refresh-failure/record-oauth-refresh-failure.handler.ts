import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { RecordOAuthRefreshFailureCommand } from './record-oauth-refresh-failure.command';

@CommandHandler(RecordOAuthRefreshFailureCommand)
export class RecordOAuthRefreshFailureHandler implements ICommandHandler<RecordOAuthRefreshFailureCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ tenantId, integrationId, reason }: RecordOAuthRefreshFailureCommand): Promise<Integration> {
    // Locked, so that a disconnection committing meanwhile is seen here: the failure that reaches the limit must not
    // write its own disconnection over the user's.
    const integration = await this.integrations.getOfTenant(tenantId, integrationId, { lock: true });
    integration.recordRefreshFailure(reason, this.config.integrations.oauth.disconnectAfterRefreshFailures);
    const disconnected = integration.status === 'Disconnected';
    this.integrations.getEntityManager().persist(
      IntegrationLog.write({
        tenantId,
        integrationId,
        logLevel: disconnected ? 'Error' : 'Warning',
        message: `Token refresh failed (${integration.oauthRefreshFailures} in a row): ${reason}${disconnected ? '; integration disconnected, authorize it again' : ''}`,
      }),
    );
    return integration;
  }
}
