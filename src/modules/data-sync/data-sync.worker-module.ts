import { Module } from '@nestjs/common';
import { DataSyncModule } from './data-sync.module';
import { DataSyncExecutor } from './workers/data-sync.executor';
import { DataSyncMaintenanceProcessor } from './workers/data-sync-maintenance.processor';

@Module({
  imports: [DataSyncModule],
  providers: [DataSyncExecutor, DataSyncMaintenanceProcessor],
})
export class DataSyncWorkerModule {}
