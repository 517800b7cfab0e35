import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { MAINTENANCE_QUEUE, ensureRepeatableJob } from '../../../common/queues/queues';

export const INCOMING_WEBHOOK_RETENTION_JOB = 'incoming-webhook-retention';
const DELETE_BATCH = 5000;

/**
 * Stored callbacks are kept INCOMING_WEBHOOKS_RETENTION_DAYS (30), well past the providers' 3-day retry
 * window that deduplication must cover, then deleted daily in small batches that never lock the table long.
 */
@Processor(MAINTENANCE_QUEUE)
export class IncomingWebhookRetentionProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(IncomingWebhookRetentionProcessor.name);

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureRepeatableJob(this.queue, INCOMING_WEBHOOK_RETENTION_JOB, this.config.incomingWebhooks.cleanupCron);
  }

  @Process(INCOMING_WEBHOOK_RETENTION_JOB)
  async purge(): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.em.getConnection().execute(
        `DELETE FROM inbound_webhook_event WHERE id IN (
           SELECT id FROM inbound_webhook_event WHERE received_at < now() - make_interval(days => ?) LIMIT ${DELETE_BATCH})`,
        [this.config.incomingWebhooks.retentionDays],
        'run',
      );
      const deleted = (result as { affectedRows?: number }).affectedRows ?? 0;
      total += deleted;
      if (deleted < DELETE_BATCH) break;
    }
    if (total) this.logger.log(`Deleted ${total} incoming webhook event(s) past retention`);
    return total;
  }
}
