import { Module } from '@nestjs/common';
import { IntegrationsModule } from './integrations.module';
import { IntegrationHealthProcessor } from './workers/integration-health.processor';
import { IntegrationLogRetentionProcessor } from './workers/integration-log-retention.processor';

@Module({ imports: [IntegrationsModule], providers: [IntegrationHealthProcessor, IntegrationLogRetentionProcessor] })
export class IntegrationsWorkerModule {}
