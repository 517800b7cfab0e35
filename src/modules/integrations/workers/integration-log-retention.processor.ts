import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { deleteInBatches } from '../../../common/database/delete-in-batches';
import { ensureRepeatableJob, MAINTENANCE_QUEUE } from '../../../common/queues/queues';

export const INTEGRATION_LOG_RETENTION_JOB = 'integration-log-retention';
/** Rows per statement: a large backlog never locks the table for long. */
const DELETE_BATCH = 5000;

/** §17.2 and §14.1: integration logs older than INTEGRATIONS_LOG_RETENTION_DAYS (90) go, daily at 2 AM UTC. */
@Processor(MAINTENANCE_QUEUE)
export class IntegrationLogRetentionProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(IntegrationLogRetentionProcessor.name);

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureRepeatableJob(this.queue, INTEGRATION_LOG_RETENTION_JOB, this.config.integrations.logCleanupCron);
  }

  @Process(INTEGRATION_LOG_RETENTION_JOB)
  async purge(): Promise<number> {
    const days = this.config.integrations.logRetentionDays;
    const deleted = await deleteInBatches(
      this.em,
      `DELETE FROM integration_log WHERE id IN (SELECT id FROM integration_log WHERE created_at < now() - make_interval(days => ?) LIMIT ${DELETE_BATCH})`,
      [days],
      DELETE_BATCH,
    );
    if (deleted) this.logger.log(`Deleted ${deleted} integration log entries older than ${days} days`);
    return deleted;
  }
}
