import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { deleteInBatches } from '../../../common/database/delete-in-batches';
import { MAINTENANCE_QUEUE, jobStanding } from '../../../common/queues/queues';
import { ScheduleKeeper } from '../../../common/queues/schedule-keeper';
import { CheckWebhookHealthCommand, WebhookFailureRate, WebhookHealthReport } from '../commands/check-webhook-health/check-webhook-health.command';
import { DeliveryJob, deliveryJobId, enqueueDeliveries, WEBHOOK_DELIVERIES_QUEUE } from '../infrastructure/delivery-queue';
import { webhookDeliveriesRequeued, webhookOldestPendingAge, webhookQueueDepth, webhookSuccessRate } from '../infrastructure/webhook-metrics';
import { EventTypeCatalog } from '../infrastructure/event-type-catalog';
import { NIL_UUID } from '../../../common/database/keyset';

export const WEBHOOK_SWEEP_JOB = 'webhook-sweep';
export const WEBHOOK_CLEANUP_JOB = 'webhook-delivery-cleanup';
/** Overdue deliveries looked at per sweep page, and pages per sweep. */
const SWEEP_PAGE = 500;
const SWEEP_MAX_PAGES = 20;
const DELETE_BATCH = 5000;

/**
 * The webhooks' scheduled work, once per schedule across all workers. The sweep (§14.1's "Webhook Retry
 * Processor", every minute): PostgreSQL is the source of truth, so a due delivery whose job is missing from
 * Redis (flush, failover, a job that ran out of tries) is queued again; webhooks that keep failing are
 * disabled; failure rates raise alerts; queue metrics are refreshed. The daily clean-up deletes deliveries
 * past retention (§17.2) and expired idempotency keys, in batches.
 */
@Processor(MAINTENANCE_QUEUE)
export class WebhookMaintenanceProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookMaintenanceProcessor.name);

  constructor(
    private readonly em: EntityManager,
    private readonly commands: CommandBus,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    private readonly schedules: ScheduleKeeper,
    private readonly catalog: EventTypeCatalog,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly deliveries: Queue<DeliveryJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep(this.maintenance, WEBHOOK_SWEEP_JOB, this.config.webhooks.sweepCron);
    await this.schedules.keep(this.maintenance, WEBHOOK_CLEANUP_JOB, this.config.webhooks.cleanupCron);
  }

  @Process(WEBHOOK_SWEEP_JOB)
  async sweep(): Promise<{ requeued: number } & WebhookHealthReport> {
    const requeued = await this.requeueLostDeliveries();
    const lastHour = await this.failureRatesLastHour();
    const report = await this.commands.execute(new CheckWebhookHealthCommand(lastHour));
    await this.refreshQueueMetrics();
    return { requeued, ...report };
  }

  /**
   * Due deliveries overdue by WEBHOOK_REQUEUE_AFTER_MS whose attempt has no live job in Redis, queued again. A
   * first attempt may still wait in its fan-out's job of many (`batch_job_id`), or have been sent back alone
   * under its own job id when its webhook was busy: either counts.
   */
  async requeueLostDeliveries(): Promise<number> {
    const overdueBefore = new Date(Date.now() - this.config.webhooks.requeueAfterMs).toISOString();
    let after = { at: '-infinity', id: NIL_UUID };
    let requeued = 0;
    for (let page = 0; page < SWEEP_MAX_PAGES; page++) {
      // The position is read as PostgreSQL's text, to the microsecond: through a JS Date it lost its microseconds,
      // so a page whose last rows shared one (every row a recover sets to now()) started again at those same rows,
      // and more than a page of them hid every later lost delivery, any tenant's, from every run of the sweep.
      const rows = await this.em.getConnection().execute<Array<{ id: string; webhook_id: string; attempt_count: number; next_retry_at: string; batch_job_id: string | null }>>(
        `SELECT id, webhook_id, attempt_count, next_retry_at::text AS next_retry_at, batch_job_id FROM webhook_delivery
          WHERE status IN ('Pending', 'Retrying') AND next_retry_at <= ?::timestamptz AND (next_retry_at, id) > (?::timestamptz, ?::uuid)
          ORDER BY next_retry_at, id LIMIT ${SWEEP_PAGE}`,
        [overdueBefore, after.at, after.id],
      );
      if (!rows.length) break;
      const batchJobIds = [...new Set(rows.flatMap((row) => (row.batch_job_id ? [row.batch_job_id] : [])))];
      const [ownJobs, batchJobs] = await Promise.all([
        Promise.all(rows.map((row) => this.deliveries.getJob(deliveryJobId(row.id, row.attempt_count)))),
        Promise.all(batchJobIds.map(async (id) => [id, (await jobStanding(await this.deliveries.getJob(id))) === 'live'] as const)),
      ]);
      const liveBatchJobs = new Set(batchJobs.flatMap(([id, live]) => (live ? [id] : [])));
      const lost = [];
      for (const [index, job] of ownJobs.entries()) {
        const row = rows[index];
        if ((await jobStanding(job)) === 'live' || (row.batch_job_id && liveBatchJobs.has(row.batch_job_id))) continue;
        // A job that failed for good or completed without changing the row no longer stands for the attempt.
        await job?.remove();
        lost.push({ id: row.id, webhookId: row.webhook_id, attemptCount: row.attempt_count });
      }
      await enqueueDeliveries(this.deliveries, lost);
      requeued += lost.length;
      const last = rows[rows.length - 1];
      after = { at: last.next_retry_at, id: last.id };
      if (rows.length < SWEEP_PAGE) break;
    }
    if (requeued) {
      webhookDeliveriesRequeued.inc(requeued);
      this.logger.warn(`Queued ${requeued} due deliveries again that had no job in Redis`);
    }
    return requeued;
  }

  @Process(WEBHOOK_CLEANUP_JOB)
  async cleanUp(): Promise<{ deliveries: number; idempotencyKeys: number; unusableSchemas: number }> {
    const deliveries = await deleteInBatches(
      this.em,
      `DELETE FROM webhook_delivery WHERE id IN (
         SELECT id FROM webhook_delivery WHERE scheduled_at < now() - make_interval(days => ?) AND status NOT IN ('Pending', 'Retrying') LIMIT ${DELETE_BATCH})`,
      [this.config.webhooks.retentionDays],
      DELETE_BATCH,
    );
    const idempotencyKeys = await deleteInBatches(
      this.em,
      `DELETE FROM event_idempotency_key WHERE ctid IN (
         SELECT ctid FROM event_idempotency_key WHERE created_at < now() - make_interval(secs => ?) LIMIT ${DELETE_BATCH})`,
      [this.config.webhooks.idempotencyWindowSeconds],
      DELETE_BATCH,
    );
    if (deliveries || idempotencyKeys) this.logger.log(`Deleted ${deliveries} deliveries past retention and ${idempotencyKeys} expired idempotency keys`);
    const unusable = await this.catalog.unusableSchemas();
    if (unusable.length) {
      this.logger.warn(
        { types: unusable.map(({ tenantId, name, problem }) => ({ tenantId, name, problem })) },
        `${unusable.length} event type(s) have a stored schema this service no longer runs; their publications answer 422 until the tenant registers a type with a schema that runs`,
      );
    }
    return { deliveries, idempotencyKeys, unusableSchemas: unusable.length };
  }

  /**
   * Every webhook's attempts of the last hour, each webhook counted within its own tenant. Per webhook, so that
   * the index that serves GET …/health, (tenant_id, webhook_id, attempted_at) INCLUDE (succeeded), serves this
   * too, index-only: the attempt log then keeps as many indexes to write on every outcome as before it had
   * tenant_id (one on attempted_at alone was dropped for it).
   */
  private async failureRatesLastHour(): Promise<WebhookFailureRate[]> {
    const rows = await this.em.getConnection().execute<Array<{ webhook_id: string; attempts: string; failed: string }>>(
      `SELECT w.id AS webhook_id, c.attempts, c.failed
         FROM webhook w
        CROSS JOIN LATERAL (
              SELECT count(*) AS attempts, count(*) FILTER (WHERE NOT a.succeeded) AS failed
                FROM webhook_delivery_attempt a
               WHERE a.tenant_id = w.tenant_id AND a.webhook_id = w.id AND a.attempted_at > now() - interval '1 hour') c
        WHERE c.attempts > 0`,
    );
    webhookSuccessRate.reset();
    return rows.map((row) => {
      const rate = { webhookId: row.webhook_id, attempts: Number(row.attempts), failed: Number(row.failed) };
      webhookSuccessRate.set({ webhook_id: rate.webhookId }, (rate.attempts - rate.failed) / rate.attempts);
      return rate;
    });
  }

  private async refreshQueueMetrics(): Promise<void> {
    const counts = await this.deliveries.getJobCounts();
    for (const state of ['waiting', 'delayed', 'active'] as const) webhookQueueDepth.set({ state }, counts[state]);
    const [oldest] = await this.em.getConnection().execute<Array<{ at: Date | null }>>(
      "SELECT min(next_retry_at) AS at FROM webhook_delivery WHERE status IN ('Pending', 'Retrying') AND next_retry_at <= now()",
    );
    webhookOldestPendingAge.set(oldest?.at ? (Date.now() - new Date(oldest.at).getTime()) / 1000 : 0);
  }
}
