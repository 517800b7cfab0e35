import { Module } from '@nestjs/common';
import { IntegrationsModule } from './integrations.module';
import { RecordLastSyncWhenSyncCompleted } from './reactions/record-last-sync-when-sync-completed.reaction';
import { IntegrationHealthProcessor } from './workers/integration-health.processor';
import { retain } from '../../common/retention/retention';

/** §17.2 and §14.1: integration logs are kept 90 days, cleaned daily at 2 AM UTC. */
retain({
  name: 'integration-logs',
  table: 'integration_log',
  column: 'created_at',
  days: (c) => c.integrations.logRetentionDays,
  cron: (c) => c.integrations.logCleanupCron,
});

@Module({ imports: [IntegrationsModule], providers: [IntegrationHealthProcessor, RecordLastSyncWhenSyncCompleted] })
export class IntegrationsWorkerModule {}
