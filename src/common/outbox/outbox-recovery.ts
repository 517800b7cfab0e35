import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { pgArray } from '../database/pg-array';
import { outboxRecovered } from '../metrics/metrics';
import { DOMAIN_EVENTS_QUEUE, jobStanding, MAINTENANCE_QUEUE } from '../queues/queues';
import { ScheduleKeeper } from '../queues/schedule-keeper';
import type { DomainEventJob } from './outbox-relay';
import { NIL_UUID } from '../database/keyset';

export const OUTBOX_RECOVERY_JOB = 'outbox-recovery';
/** Unprocessed events looked at per page, and pages per run. */
const PAGE = 500;
const MAX_PAGES = 20;

/** A job found by id (null when Redis has none) and what it still means for its events. */
interface LookedUp {
  job: Job | null;
  standing: Awaited<ReturnType<typeof jobStanding>>;
}

/**
 * Published is not processed: Redis keeps nothing on disk, so a flush, restart or failover between the relay and
 * the reactions loses a committed event's job while its row says published. PostgreSQL is the source of truth:
 * on OUTBOX_RECOVER_CRON (once per schedule across workers), events relayed more than OUTBOX_RECOVER_AFTER_MS ago
 * and not processed, whose job Redis no longer holds, go back to the relay (`published_at` cleared), which queues
 * them again under the usual job ids; reactions deduplicate on the event id, so an event that did run but was not
 * marked runs again harmlessly. An event whose job is live (waiting, delayed, active) is left to it.
 *
 * An event whose job failed for good is left too, for an operator to retry from the queue: jobs fail for good
 * after about 18 hours of backoff (DURABLE_JOB) or after bringing their worker down ten times (see the queue's maxStalledCount),
 * and queueing the latter again on every run would take the workers down on every run. It stays unprocessed, so
 * retention keeps it, and it is queued again only if Redis loses the failed job as well.
 */
@Processor(MAINTENANCE_QUEUE)
export class OutboxRecovery implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxRecovery.name);

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(DOMAIN_EVENTS_QUEUE) private readonly queue: Queue<DomainEventJob>,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    private readonly schedules: ScheduleKeeper,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep(this.maintenance, OUTBOX_RECOVERY_JOB, this.config.outbox.recoverCron);
  }

  /** Hands the relay the events Redis lost; returns how many, and how many wait in jobs that failed for good. */
  @Process(OUTBOX_RECOVERY_JOB)
  async recoverLostEvents(): Promise<{ recovered: number; inFailedJobs: number }> {
    const relayedBefore = new Date(Date.now() - this.config.outbox.recoverAfterMs).toISOString();
    const connection = this.em.getConnection();
    let after = { at: '-infinity', id: NIL_UUID };
    let recovered = 0;
    let inFailedJobs = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      // published_at as PostgreSQL's text, microseconds and all, so the next page starts exactly after this one.
      const rows = await connection.execute<Array<{ id: string; relay_job_id: string; published_at: string }>>(
        `SELECT id, relay_job_id, published_at::text AS published_at FROM outbox_message
          WHERE processed_at IS NULL AND relay_job_id IS NOT NULL AND published_at < ?::timestamptz AND (published_at, id) > (?::timestamptz, ?::uuid)
          ORDER BY published_at, id LIMIT ${PAGE}`,
        [relayedBefore, after.at, after.id],
      );
      if (!rows.length) break;
      // The relay's job first, then the event's own: a job of many sends the events whose reactions failed back
      // alone, under the event's id, before it completes, so once it is gone such an event's own job is found.
      const relayJobs = new Map(await Promise.all([...new Set(rows.map((row) => row.relay_job_id))].map(async (id) => [id, await this.lookUp(id)] as const)));
      const lost: string[] = [];
      const doneJobs = new Map<string, Job>();
      for (const row of rows) {
        const found: Array<[string, LookedUp]> = [[row.relay_job_id, relayJobs.get(row.relay_job_id)!]];
        if (found[0][1].standing !== 'live' && row.relay_job_id !== row.id) found.push([row.id, await this.lookUp(row.id)]);
        if (found.some(([, { standing }]) => standing === 'live')) continue;
        if (found.some(([, { standing }]) => standing === 'failed')) {
          inFailedJobs++;
          continue;
        }
        lost.push(row.id);
        // A completed job of the same id would make Bull ignore the relay's new one.
        for (const [id, { job, standing }] of found) if (standing === 'completed') doneJobs.set(id, job!);
      }
      await Promise.all([...doneJobs.values()].map((job) => job.remove()));
      if (lost.length) {
        // Only rows still unprocessed and not relayed again since they were read (by an overlapping run).
        const result = await connection.execute(
          'UPDATE outbox_message SET published_at = NULL WHERE id = ANY(?::uuid[]) AND processed_at IS NULL AND published_at < ?::timestamptz',
          [pgArray(lost), relayedBefore],
          'run',
        );
        recovered += (result as { affectedRows?: number }).affectedRows ?? 0;
      }
      const last = rows[rows.length - 1];
      after = { at: last.published_at, id: last.id };
      if (rows.length < PAGE) break;
    }
    if (recovered) {
      outboxRecovered.inc(recovered);
      this.logger.warn(`Handed ${recovered} relayed events back to the relay: Redis had lost their jobs before their reactions ran`);
    }
    if (inFailedJobs) this.logger.warn(`${inFailedJobs} relayed events wait in domain-events jobs that failed for good; retry those jobs once their cause is fixed`);
    return { recovered, inFailedJobs };
  }

  private async lookUp(jobId: string): Promise<LookedUp> {
    const job = await this.queue.getJob(jobId);
    return { job, standing: await jobStanding(job) };
  }
}
