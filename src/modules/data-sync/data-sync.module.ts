import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { BullModule } from '@nestjs/bull';
import { Integration } from '../integrations/domain/integration.entity';
import { IntegrationsModule } from '../integrations/integrations.module';
import { CancelDataSyncHandler } from './commands/cancel-data-sync/cancel-data-sync.handler';
import { CreateDataSyncHandler } from './commands/create-data-sync/create-data-sync.handler';
import { FinishDataSyncRunHandler } from './commands/finish-data-sync-run/finish-data-sync-run.handler';
import { WriteSyncedRecordHandler } from './commands/write-synced-record/write-synced-record.handler';
import { ConnectorFactory } from './connectors/connector-factory';
import { ConnectorHttp } from './connectors/connector-http';
import { DataSyncJob } from './domain/data-sync-job.entity';
import { DataSyncLog } from './domain/data-sync-log.entity';
import { DataSyncsController, SyncedRecordsController } from './http/data-syncs.controller';
import { DataSyncStream } from './infrastructure/data-sync-stream';
import { DATA_SYNC_QUEUE, dataSyncBackoffStrategies } from './infrastructure/data-sync-queue';
import { SyncProgressChannel } from './infrastructure/sync-progress.channel';
import { SyncRunStore } from './infrastructure/sync-run-store';
import { GetDataSyncHandler } from './queries/get-data-sync/get-data-sync.handler';
import { ListDataSyncLogsHandler } from './queries/list-data-sync-logs/list-data-sync-logs.handler';
import { ListDataSyncsHandler } from './queries/list-data-syncs/list-data-syncs.handler';
import { ListSyncedRecordsHandler } from './queries/list-synced-records/list-synced-records.handler';
import { ApiKeysModule } from '../api-keys/api-keys.module';

const runQueue = BullModule.registerQueue({ name: DATA_SYNC_QUEUE, settings: { backoffStrategies: dataSyncBackoffStrategies } });

/**
 * Data sync (spec §4.4, issue #5): jobs that import records from an integration's external system through a
 * connector (connectors/), in checkpointed batches, into `synced_record`, and export the records changed here
 * back to it (Export; Bidirectional does both, the newer side winning). The API schedules, lists, cancels and
 * streams jobs; the worker part (data-sync.worker-module.ts) runs them and the scheduler.
 */
@Module({
  imports: [MikroOrmModule.forFeature([DataSyncJob, DataSyncLog, Integration]), IntegrationsModule, ApiKeysModule, runQueue],
  controllers: [DataSyncsController, SyncedRecordsController],
  providers: [
    CreateDataSyncHandler,
    CancelDataSyncHandler,
    FinishDataSyncRunHandler,
    WriteSyncedRecordHandler,
    GetDataSyncHandler,
    ListDataSyncsHandler,
    ListDataSyncLogsHandler,
    ListSyncedRecordsHandler,
    ConnectorHttp,
    ConnectorFactory,
    SyncProgressChannel,
    SyncRunStore,
    DataSyncStream,
  ],
  exports: [ConnectorFactory, SyncProgressChannel, SyncRunStore, runQueue],
})
export class DataSyncModule {}
