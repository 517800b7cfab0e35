import { createHash } from 'node:crypto';
import { Global, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { JobInformation, JobStatus, Queue } from 'bull';
import { schedulesRestored } from '../metrics/metrics';

/**
 * How often a worker checks that Redis still holds every schedule. A constant rather than configuration: the
 * schedules it guards run every minute at the most (outbox recovery, webhook sweep), so a lost one is back before
 * it would have run twice, and tests call `restoreMissingSchedules` instead of waiting.
 */
const CHECK_EVERY_MS = 60_000;

/** A repeatable job this worker keeps scheduled. */
interface Schedule {
  name: string;
  cron: string;
  /** One job name run for several things (one retention rule each), told apart by id and data. */
  instance?: { id: string; data: object };
}

/**
 * Schedules are Bull repeatable jobs, which live only in Redis: a Redis that restarts empty (it keeps nothing on
 * disk), is flushed or fails over would lose them all, the outbox recovery and the webhook sweep among them (the
 * very jobs that queue again what Redis lost), until a worker restarted. So every worker remembers the schedules
 * it set up and, every minute and whenever a queue's Redis connection is ready again after a reconnect, adds back
 * those Redis no longer lists (logged, and counted in `schedules_restored_total{queue}`).
 *
 * Once per schedule across workers: Bull keys a repeatable job by name, id and cron, and names each run by that
 * key and its time, so several workers adding the same schedule at once leave one schedule and one job per run.
 */
@Injectable()
export class ScheduleKeeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ScheduleKeeper.name);
  private readonly kept = new Map<Queue, Schedule[]>();
  private readonly checkWhenReady = new Map<Queue, () => void>();
  private timer: NodeJS.Timeout | undefined;
  /** The check under way, if any: the timer and reconnections never start a second one beside it. */
  private checking: Promise<unknown> | undefined;
  private stopped = false;

  /**
   * Makes sure `name` runs on `cron` in `queue`, and keeps it so. `instance` runs one job name for several
   * things; its id must not contain ':' (Bull builds the repeat key with it).
   */
  async keep(queue: Queue, name: string, cron: string, instance?: Schedule['instance']): Promise<void> {
    const schedule: Schedule = { name, cron, instance };
    const schedules = this.kept.get(queue) ?? [];
    this.kept.set(queue, [...schedules.filter((kept) => !sameSchedule(kept, name, instance?.id ?? null)), schedule]);
    if (!this.checkWhenReady.has(queue)) {
      // After a reconnect Redis may be a new, empty one (a restart, a failover). A first connection that comes
      // after this line costs one check that at worst adds a schedule again, which Bull ignores.
      const check = () => this.checkInBackground();
      queue.client.on('ready', check);
      this.checkWhenReady.set(queue, check);
    }
    const listed = await this.dropOtherCrons(queue, schedule, await queue.getRepeatableJobs());
    // Added even when listed: Bull ignores a run it already holds, and this brings back a next run Redis lost.
    if (listed) await removeStrandedRun(queue, listed);
    await addRepeatable(queue, schedule);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.checkInBackground(), CHECK_EVERY_MS);
  }

  /** Stops checking before the queues close, and waits for a check under way. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const [queue, check] of this.checkWhenReady) queue.client.off('ready', check);
    this.checkWhenReady.clear();
    await this.checking;
  }

  /**
   * Adds back every kept schedule that Redis no longer lists, or lists without a next run to come (the queue
   * dashboard's "Empty" removes the runs and leaves the list), and drops the same schedules' runs on other crons;
   * answers how many were added back per queue.
   *
   * Dropping other crons here too, not only at start-up: while a deployment changes a cron, a worker still on the
   * old configuration would otherwise add back the schedule a new worker had just dropped, and it would outlive
   * that worker. Old and new workers take turns until the old ones stop; then the new cron alone remains.
   */
  async restoreMissingSchedules(): Promise<Record<string, number>> {
    const restored: Record<string, number> = {};
    for (const [queue, schedules] of this.kept) {
      const listed = await queue.getRepeatableJobs();
      const missing: Schedule[] = [];
      for (const schedule of schedules) {
        const entry = await this.dropOtherCrons(queue, schedule, listed);
        if (!entry) missing.push(schedule);
        else if (await removeStrandedRun(queue, entry)) missing.push(schedule);
      }
      for (const schedule of missing) await addRepeatable(queue, schedule);
      restored[queue.name] = missing.length;
      if (missing.length) {
        schedulesRestored.inc({ queue: queue.name }, missing.length);
        const names = missing.map((schedule) => schedule.instance?.id ?? schedule.name).join(', ');
        this.logger.warn(`Restored ${missing.length} schedule(s) of queue ${queue.name} that Redis had lost (restart, flush or failover): ${names}`);
      }
    }
    return restored;
  }

  private checkInBackground(): void {
    if (this.stopped || this.checking) return;
    this.checking = this.restoreMissingSchedules()
      .catch((error: Error) => this.logger.warn(`Could not check the schedules in Redis; checking again within a minute: ${error.message}`))
      .finally(() => (this.checking = undefined));
  }

  /** Removes the schedule's entries on another cron (an earlier configuration); answers its own entry, if listed. */
  private async dropOtherCrons(queue: Queue, schedule: Schedule, listed: JobInformation[]): Promise<JobInformation | undefined> {
    let onItsCron: JobInformation | undefined;
    for (const job of listed) {
      if (!sameSchedule(schedule, job.name, job.id ?? null)) continue;
      if (job.cron === schedule.cron) onItsCron = job;
      else await queue.removeRepeatableByKey(job.key);
    }
    return onItsCron;
  }
}

/** The states of a run that is still to happen, or happening. */
const UPCOMING: readonly JobStatus[] = ['delayed', 'waiting', 'active', 'paused'];

/**
 * Whether a listed schedule has no next run to come; if so, removes what is left of that run (its record outlives
 * an "Empty", and Bull would ignore the run added again under the same id until its time had passed). The run's id
 * is Bull's (lib/repeatable.js, getRepeatJobId): `repeat:md5(name + "<id>:" + md5(repeat key)):<next millis>`.
 */
async function removeStrandedRun(queue: Queue, entry: JobInformation): Promise<boolean> {
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  const run = await queue.getJob(`repeat:${md5(`${entry.name}${entry.id ? `${entry.id}:` : ':'}${md5(entry.key)}`)}:${entry.next}`);
  if (run && UPCOMING.includes((await run.getState()) as JobStatus)) return false;
  await run?.remove();
  return true;
}

function sameSchedule(schedule: Schedule, name: string, id: string | null): boolean {
  return schedule.name === name && (schedule.instance?.id ?? null) === id;
}

function addRepeatable(queue: Queue, { name, cron, instance }: Schedule): Promise<unknown> {
  return queue.add(name, instance?.data ?? {}, {
    ...(instance && { jobId: instance.id }),
    repeat: { cron, tz: 'UTC' },
    removeOnComplete: true,
    removeOnFail: 100,
    timeout: 30 * 60_000,
  });
}

/** The worker's schedules, for every worker-side processor to keep its own: `ScheduleKeeper.keep`. */
@Global()
@Module({ providers: [ScheduleKeeper], exports: [ScheduleKeeper] })
export class ScheduleKeeperModule {}
