import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { BullModule } from '@nestjs/bull';
import { CompleteCalendarAuthorizationHandler } from './commands/complete-calendar-authorization/complete-calendar-authorization.handler';
import { CreateIntegrationHandler } from './commands/create-integration/create-integration.handler';
import { DisconnectIntegrationHandler } from './commands/disconnect-integration/disconnect-integration.handler';
import { RecordIntegrationCheckHandler } from './commands/record-integration-check/record-integration-check.handler';
import { RecordOAuthRefreshFailureHandler } from './commands/record-oauth-refresh-failure/record-oauth-refresh-failure.handler';
import { ReencryptIntegrationSecretsHandler } from './commands/reencrypt-integration-secrets/reencrypt-integration-secrets.handler';
import { ReviewIntegrationHandler } from './commands/review-integration/review-integration.handler';
import { StartCalendarAuthorizationHandler } from './commands/start-calendar-authorization/start-calendar-authorization.handler';
import { StoreOAuthTokensHandler } from './commands/store-oauth-tokens/store-oauth-tokens.handler';
import { TestIntegrationHandler } from './commands/test-integration/test-integration.handler';
import { UpdateIntegrationHandler } from './commands/update-integration/update-integration.handler';
import { UpdateIntegrationSettingsHandler } from './commands/update-integration-settings/update-integration-settings.handler';
import { Integration } from './domain/integration.entity';
import { IntegrationLog } from './domain/integration-log.entity';
import { IntegrationSettings } from './domain/integration-settings.entity';
import { IntegrationPresenter } from './http/integration-presenter';
import { IntegrationsController } from './http/integrations.controller';
import { ConfigurationValidator } from './infrastructure/configuration-validator';
import { IntegrationProber } from './infrastructure/integration-prober';
import { IntegrationSettingsReader } from './infrastructure/integration-settings.reader';
import { OAuthStateStore } from './infrastructure/oauth-state.store';
import { OAuthTokenService } from './infrastructure/oauth-token.service';
import { ProviderHttpFactory } from './providers/provider-http';
import { ProviderRegistry } from './providers/provider-registry';
import { GetIntegrationHandler } from './queries/get-integration/get-integration.handler';
import { GetIntegrationSettingsHandler } from './queries/get-integration-settings/get-integration-settings.handler';
import { ListIntegrationLogsHandler } from './queries/list-integration-logs/list-integration-logs.handler';
import { ListIntegrationsHandler } from './queries/list-integrations/list-integrations.handler';
import { INTEGRATION_HEALTH_QUEUE } from './workers/integration-health.processor';

export const integrationCommandHandlers = [
  CreateIntegrationHandler,
  UpdateIntegrationHandler,
  DisconnectIntegrationHandler,
  TestIntegrationHandler,
  RecordIntegrationCheckHandler,
  ReviewIntegrationHandler,
  UpdateIntegrationSettingsHandler,
  StartCalendarAuthorizationHandler,
  CompleteCalendarAuthorizationHandler,
  StoreOAuthTokensHandler,
  RecordOAuthRefreshFailureHandler,
  ReencryptIntegrationSecretsHandler,
];
export const integrationQueryHandlers = [ListIntegrationsHandler, GetIntegrationHandler, ListIntegrationLogsHandler, GetIntegrationSettingsHandler];

const healthQueue = BullModule.registerQueue({ name: INTEGRATION_HEALTH_QUEUE });

/**
 * Integrations (spec §4.1): connections to payment, email, SMS, calendar, CRM and custom APIs. Configuration is
 * sealed by the SecretVault and masked on read; providers are reached through one adapter each
 * (providers/), behind a per-integration circuit breaker, retry and timeout, always through the SSRF-safe
 * client; provider calls never run inside a database transaction. Lifecycle: Draft → PendingValidation →
 * Active after the provider accepted the credentials; Suspended on refused credentials; Error until reviewed.
 */
@Module({
  imports: [MikroOrmModule.forFeature([Integration, IntegrationLog, IntegrationSettings]), healthQueue],
  controllers: [IntegrationsController],
  providers: [
    ...integrationCommandHandlers,
    ...integrationQueryHandlers,
    ProviderRegistry,
    ProviderHttpFactory,
    ConfigurationValidator,
    IntegrationProber,
    IntegrationSettingsReader,
    OAuthTokenService,
    OAuthStateStore,
    IntegrationPresenter,
  ],
  exports: [IntegrationProber, healthQueue],
})
export class IntegrationsModule {}
