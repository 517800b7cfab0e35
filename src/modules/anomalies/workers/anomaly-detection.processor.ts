import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { MAINTENANCE_QUEUE } from '../../../common/queues/queues';
import { ScheduleKeeper } from '../../../common/queues/schedule-keeper';
import { AnomalySweep, DetectAnomaliesCommand } from '../commands/detect-anomalies/detect-anomalies.command';

export const DETECT_ANOMALIES_JOB = 'detect-anomalies';

/** The hourly anomaly sweep (ANOMALY_DETECTION_CRON), once per schedule across all workers. */
@Processor(MAINTENANCE_QUEUE)
export class AnomalyDetectionProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(AnomalyDetectionProcessor.name);

  constructor(
    private readonly commands: CommandBus,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly schedules: ScheduleKeeper,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep(this.queue, DETECT_ANOMALIES_JOB, this.config.anomalies.detectionCron);
  }

  @Process(DETECT_ANOMALIES_JOB)
  async detect(): Promise<AnomalySweep> {
    const sweep = await this.commands.execute(new DetectAnomaliesCommand());
    if (sweep.anomalies.length) this.logger.warn({ anomalies: sweep.anomalies.length, compared: sweep.compared }, 'Anomalies detected; see GET /api/anomalies');
    return sweep;
  }
}
