import { Module } from '@nestjs/common';
import { retain } from '../../common/retention/retention';
import { DataSyncModule } from './data-sync.module';
import { DataSyncExecutor } from './workers/data-sync.executor';
import { DataSyncMaintenanceProcessor } from './workers/data-sync-maintenance.processor';

/** §17.2: sync logs are kept 180 days (DATA_SYNC_LOG_RETENTION_DAYS), cleaned daily (DATA_SYNC_LOG_CLEANUP_CRON). */
retain({ name: 'data-sync-log', table: 'data_sync_log', column: 'created_at', days: (c) => c.dataSync.logRetentionDays, cron: (c) => c.dataSync.logCleanupCron });

@Module({
  imports: [DataSyncModule],
  providers: [DataSyncExecutor, DataSyncMaintenanceProcessor],
})
export class DataSyncWorkerModule {}
