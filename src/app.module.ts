import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './common/config/app-config';
import { PlatformModule, PlatformWorkerModule, WorkerMetricsModule } from './common/platform.module';
import { ScheduleKeeperModule } from './common/queues/schedule-keeper';
import { AnomaliesModule } from './modules/anomalies/anomalies.module';
import { AnomaliesWorkerModule } from './modules/anomalies/anomalies.worker-module';
import { ApiKeysModule } from './modules/api-keys/api-keys.module';
import { ApiKeysWorkerModule } from './modules/api-keys/api-keys.worker-module';
import { AuditModule } from './modules/audit/audit.module';
import { AuditWorkerModule } from './modules/audit/audit.worker-module';
import { DataSyncModule } from './modules/data-sync/data-sync.module';
import { DataSyncWorkerModule } from './modules/data-sync/data-sync.worker-module';
import { IntegrationsModule } from './modules/integrations/integrations.module';
import { IntegrationsWorkerModule } from './modules/integrations/integrations.worker-module';
import { IncomingWebhooksModule } from './modules/incoming-webhooks/incoming-webhooks.module';
import { IncomingWebhooksWorkerModule } from './modules/incoming-webhooks/incoming-webhooks.worker-module';
import { TenantsModule } from './modules/tenants/tenants.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { WebhooksWorkerModule } from './modules/webhooks/webhooks.worker-module';

/** Feature modules: HTTP, commands, queries. A new module goes here (and its worker part below). */
const featureModules = [TenantsModule, ApiKeysModule, AuditModule, IntegrationsModule, IncomingWebhooksModule, WebhooksModule, DataSyncModule, AnomaliesModule];
/** What only worker processes run: Bull processors, schedules, the outbox relay. */
const workerModules = [ScheduleKeeperModule, PlatformWorkerModule, ApiKeysWorkerModule, AuditWorkerModule, IntegrationsWorkerModule, IncomingWebhooksWorkerModule, WebhooksWorkerModule, DataSyncWorkerModule, AnomaliesWorkerModule];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const runsWorker = config.processRole !== 'api';
    // Only a worker alone lacks an HTTP server for Prometheus to scrape; role `all` serves /metrics on PORT.
    const servesOwnMetrics = config.processRole === 'worker';
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(config), ...featureModules, ...(runsWorker ? workerModules : []), ...(servesOwnMetrics ? [WorkerMetricsModule] : [])],
    };
  }
}
