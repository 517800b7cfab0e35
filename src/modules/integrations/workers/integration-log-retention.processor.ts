import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
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
    let total = 0;
    for (;;) {
      const result = await this.em.getConnection().execute(
        `DELETE FROM integration_log WHERE id IN (SELECT id FROM integration_log WHERE created_at < now() - make_interval(days => ?) LIMIT ${DELETE_BATCH})`,
        [this.config.integrations.logRetentionDays],
        'run',
      );
      const deleted = (result as { affectedRows?: number }).affectedRows ?? 0;
      total += deleted;
      if (deleted < DELETE_BATCH) break;
    }
    if (total) this.logger.log(`Deleted ${total} integration log entries older than ${this.config.integrations.logRetentionDays} days`);
    return total;
  }
}
