import { Module } from '@nestjs/common';
import { retain } from '../../common/retention/retention';
import { AnomaliesModule } from './anomalies.module';
import { AnomalyDetectionProcessor } from './workers/anomaly-detection.processor';

retain({ name: 'anomalies', table: 'anomaly', column: 'detected_at', days: (c) => c.anomalies.retentionDays, cron: (c) => c.audit.cleanupCron });

@Module({ imports: [AnomaliesModule], providers: [AnomalyDetectionProcessor] })
export class AnomaliesWorkerModule {}
