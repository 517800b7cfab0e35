import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { MAINTENANCE_QUEUE, ensureRepeatableJob } from '../../../common/queues/queues';

export const AUDIT_RETENTION_JOB = 'audit-retention';
/** Rows deleted per statement: small enough that the table never sits locked for long. */
const DELETE_BATCH = 5000;

/** §17.2: audit entries older than AUDIT_RETENTION_DAYS (a year) go, and so do relayed outbox rows after a week. */
@Processor(MAINTENANCE_QUEUE)
export class AuditRetentionProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditRetentionProcessor.name);

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureRepeatableJob(this.queue, AUDIT_RETENTION_JOB, this.config.audit.cleanupCron);
  }

  @Process(AUDIT_RETENTION_JOB)
  async purge(): Promise<{ audit: number; outbox: number }> {
    const audit = await this.deleteInBatches(
      `DELETE FROM audit_entry WHERE id IN (SELECT id FROM audit_entry WHERE created_at < now() - make_interval(days => ?) LIMIT ${DELETE_BATCH})`,
      [this.config.audit.retentionDays],
    );
    const outbox = await this.deleteInBatches(
      `DELETE FROM outbox_message WHERE id IN (SELECT id FROM outbox_message WHERE published_at < now() - interval '7 days' LIMIT ${DELETE_BATCH})`,
      [],
    );
    if (audit || outbox) this.logger.log(`Deleted ${audit} audit entries and ${outbox} relayed outbox rows`);
    return { audit, outbox };
  }

  private async deleteInBatches(sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.em.getConnection().execute(sql, params, 'run');
      const affected = (result as { affectedRows?: number }).affectedRows ?? 0;
      total += affected;
      if (affected < DELETE_BATCH) return total;
    }
  }
}
