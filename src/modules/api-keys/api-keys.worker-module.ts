import { Module } from '@nestjs/common';
import { ApiKeysModule } from './api-keys.module';
import { ApiKeyMaintenanceProcessor } from './workers/api-key-maintenance.processor';

@Module({ imports: [ApiKeysModule], providers: [ApiKeyMaintenanceProcessor] })
export class ApiKeysWorkerModule {}
