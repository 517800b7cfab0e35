import type { Logger } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { chunk } from '../../../common/batching/chunk';
import { groupJobId } from '../../../common/queues/queues';

export const WEBHOOK_DELIVERIES_QUEUE = 'webhook-deliveries';

/** One scheduled attempt of a delivery. */
export interface DeliveryAttemptRef {
  deliveryId: string;
  /** Attempts already made when this job was queued: a job whose count no longer matches is stale and skipped. */
  attemptCount: number;
  /**
   * The delivery's webhook, so the worker can wait for one of that webhook's slots before it takes one of its
   * own. Absent from jobs queued before it was added; those take their webhook slot after loading the delivery.
   */
  webhookId?: string;
}

/**
 * A job carries one attempt (retries, replays, the sweep, a delivery sent back while its webhook was busy) or
 * the first attempts of many deliveries of one fan-out. Bull costs a Redis round trip or two per job, on both
 * the queue's and the worker's side; a fan-out's deliveries share them.
 */
export type DeliveryJob = DeliveryAttemptRef | { deliveries: Array<Required<DeliveryAttemptRef>> };

/**
 * Thrown back to Bull for an attempt that is to run a little later, here or in another worker: its webhook
 * already has its share of requests in flight in this worker, or this worker is stopping.
 */
export class WebhookBusyError extends Error {
  constructor(message = 'The webhook has its maximum of requests in flight; the delivery waits its turn') {
    super(message);
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
  return groupJobId('batch', deliveryIds);
}

/** A delivery's next attempt as the queue needs it. */
export interface QueuedAttempt {
  id: string;
  webhookId: string;
  attemptCount: number;
  delayMs?: number;
}

/** Queues the next attempt of each delivery, a job each; a job that already exists under its id is left as it is. */
export async function enqueueDeliveries(queue: Queue<DeliveryJob>, deliveries: ReadonlyArray<QueuedAttempt>): Promise<void> {
  if (!deliveries.length) return;
  await queue.addBulk(
    deliveries.map((d) => ({
      data: { deliveryId: d.id, attemptCount: d.attemptCount, webhookId: d.webhookId },
      opts: { ...JOB_OPTIONS, jobId: deliveryJobId(d.id, d.attemptCount), delay: Math.max(0, d.delayMs ?? 0) },
    })),
  );
}

/**
 * enqueueDeliveries for deliveries already committed as due: when Redis refuses, they stay Pending or Retrying in
 * PostgreSQL, the source of truth, and the sweep queues them (WEBHOOK_REQUEUE_AFTER_MS). So the failure is logged,
 * not thrown: the caller's change stands, and an error would tell a client to retry what is done (a second test
 * delivery, a replay answered 409).
 */
export async function enqueueOrLeaveToSweep(queue: Queue<DeliveryJob>, deliveries: ReadonlyArray<QueuedAttempt>, logger: Pick<Logger, 'warn'>): Promise<void> {
  try {
    await enqueueDeliveries(queue, deliveries);
  } catch (error) {
    logger.warn({ error: (error as Error).message, count: deliveries.length }, 'Queueing deliveries failed; the sweep will queue them');
  }
}

/** The job that will carry the first attempts of some new deliveries. */
export interface FirstAttemptJob {
  jobId: string;
  deliveries: Array<{ id: string; webhookId: string }>;
}

/** New deliveries split into the jobs that will carry their first attempts; a group of one is an ordinary job. */
export function planFirstAttemptJobs(deliveries: ReadonlyArray<{ id: string; webhookId: string }>, perJob: number): FirstAttemptJob[] {
  return chunk(deliveries, perJob).map((group) => ({
    jobId: group.length === 1 ? deliveryJobId(group[0].id, 0) : deliveryBatchJobId(group.map((d) => d.id)),
    deliveries: group,
  }));
}

/** Queues the jobs planned by `planFirstAttemptJobs`, in one round trip. */
export async function enqueueFirstAttempts(queue: Queue<DeliveryJob>, jobs: readonly FirstAttemptJob[]): Promise<void> {
  if (!jobs.length) return;
  const attempt = (d: { id: string; webhookId: string }): Required<DeliveryAttemptRef> => ({ deliveryId: d.id, attemptCount: 0, webhookId: d.webhookId });
  await queue.addBulk(
    jobs.map(({ jobId, deliveries }) => ({
      data: deliveries.length === 1 ? attempt(deliveries[0]) : { deliveries: deliveries.map(attempt) },
      opts: { ...JOB_OPTIONS, jobId },
    })),
  );
}
