import { createHash } from 'node:crypto';
import type { JobOptions, Queue } from 'bull';

export const WEBHOOK_DELIVERIES_QUEUE = 'webhook-deliveries';

/** One scheduled attempt of a delivery. */
export interface DeliveryAttemptRef {
  deliveryId: string;
  /** Attempts already made when this job was queued: a job whose count no longer matches is stale and skipped. */
  attemptCount: number;
}

/**
 * A job carries one attempt (retries, replays, the sweep, a delivery sent back while its webhook was busy) or
 * the first attempts of many deliveries of one fan-out. Bull costs a Redis round trip or two per job, on both
 * the queue's and the worker's side; a fan-out's deliveries share them.
 */
export type DeliveryJob = DeliveryAttemptRef | { deliveries: DeliveryAttemptRef[] };

export function attemptsOf(job: DeliveryJob): DeliveryAttemptRef[] {
  return 'deliveries' in job ? job.deliveries : [job];
}

/** Thrown back to Bull when the webhook already has its share of requests in flight in this worker. */
export class WebhookBusyError extends Error {
  constructor() {
    super('The webhook has its maximum of requests in flight; the delivery waits its turn');
    this.name = 'WebhookBusyError';
  }
}

/** How long a delivery sent back while its webhook was busy waits before its next try: 1–2 s, spread out. */
export function busyWebhookDelayMs(): number {
  return 1000 + Math.floor(Math.random() * 1000);
}

/**
 * Bull's retry of a delivery job is not the delivery's retry (that one is a new job, scheduled by the policy):
 * it covers a busy webhook (try again in a second or two, with jitter so waiting jobs spread out) and
 * infrastructure failures such as PostgreSQL being down (back off to 30 s). A job that runs out of attempts is
 * removed; the sweep queues its delivery again from PostgreSQL.
 */
export const DELIVERY_JOB_BACKOFF = 'webhook-delivery';
export const deliveryBackoffStrategies = {
  [DELIVERY_JOB_BACKOFF]: (attemptsMade: number, error: Error): number =>
    error instanceof WebhookBusyError || error?.name === 'WebhookBusyError' ? busyWebhookDelayMs() : Math.min(30_000, 500 * 2 ** Math.min(attemptsMade, 6)),
};

const JOB_OPTIONS: JobOptions = {
  attempts: 10_000,
  backoff: { type: DELIVERY_JOB_BACKOFF },
  removeOnComplete: true,
  removeOnFail: true,
};

/** The id of the job for a delivery's next attempt: known from PostgreSQL alone, so the sweep can look it up. */
export function deliveryJobId(deliveryId: string, attemptCount: number): string {
  return `${deliveryId}-a${attemptCount}`;
}

/**
 * The id of a job carrying the first attempts of several deliveries: it follows from all of them, so a fan-out
 * repeated after a crash queues the same job again (which Bull ignores), and the deliveries' rows keep it
 * (`batch_job_id`) for the sweep to look up.
 */
export function deliveryBatchJobId(deliveryIds: readonly string[]): string {
  return `batch-${createHash('sha256').update(deliveryIds.join(',')).digest('base64url')}`;
}

export function deliveryJob(deliveryId: string, attemptCount: number, delayMs = 0): { data: DeliveryJob; opts: JobOptions } {
  return { data: { deliveryId, attemptCount }, opts: { ...JOB_OPTIONS, jobId: deliveryJobId(deliveryId, attemptCount), delay: Math.max(0, delayMs) } };
}

/** Queues the next attempt of each delivery, a job each; a job that already exists under its id is left as it is. */
export async function enqueueDeliveries(queue: Queue<DeliveryJob>, deliveries: ReadonlyArray<{ id: string; attemptCount: number; delayMs?: number }>): Promise<void> {
  if (!deliveries.length) return;
  await queue.addBulk(deliveries.map((d) => deliveryJob(d.id, d.attemptCount, d.delayMs)));
}

/** New deliveries split into the jobs that will carry their first attempts; a group of one is an ordinary job. */
export function planFirstAttemptJobs(deliveryIds: readonly string[], perJob: number): Array<{ jobId: string; deliveryIds: string[] }> {
  const groups: Array<{ jobId: string; deliveryIds: string[] }> = [];
  for (let start = 0; start < deliveryIds.length; start += perJob) {
    const ids = deliveryIds.slice(start, start + perJob);
    groups.push({ jobId: ids.length === 1 ? deliveryJobId(ids[0], 0) : deliveryBatchJobId(ids), deliveryIds: ids });
  }
  return groups;
}

/** Queues the jobs planned by `planFirstAttemptJobs`, in one round trip. */
export async function enqueueFirstAttempts(queue: Queue<DeliveryJob>, jobs: ReadonlyArray<{ jobId: string; deliveryIds: string[] }>): Promise<void> {
  if (!jobs.length) return;
  await queue.addBulk(
    jobs.map(({ jobId, deliveryIds }) => ({
      data: deliveryIds.length === 1 ? { deliveryId: deliveryIds[0], attemptCount: 0 } : { deliveries: deliveryIds.map((deliveryId) => ({ deliveryId, attemptCount: 0 })) },
      opts: { ...JOB_OPTIONS, jobId },
    })),
  );
}
