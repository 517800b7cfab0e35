import type { JobOptions, Queue } from 'bull';

/** One job per scheduled attempt of a delivery. */
export const WEBHOOK_DELIVERIES_QUEUE = 'webhook-deliveries';

export interface DeliveryJob {
  deliveryId: string;
  /** Attempts already made when this job was queued: a job whose count no longer matches is stale and skipped. */
  attemptCount: number;
}

/** Thrown back to Bull when the webhook already has its share of requests in flight in this worker. */
export class WebhookBusyError extends Error {
  constructor() {
    super('The webhook has its maximum of requests in flight; the delivery waits its turn');
    this.name = 'WebhookBusyError';
  }
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
    error instanceof WebhookBusyError || error?.name === 'WebhookBusyError'
      ? 1000 + Math.floor(Math.random() * 1000)
      : Math.min(30_000, 500 * 2 ** Math.min(attemptsMade, 6)),
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

export function deliveryJob(deliveryId: string, attemptCount: number, delayMs = 0): { data: DeliveryJob; opts: JobOptions } {
  return { data: { deliveryId, attemptCount }, opts: { ...JOB_OPTIONS, jobId: deliveryJobId(deliveryId, attemptCount), delay: Math.max(0, delayMs) } };
}

/** Queues the next attempt of each delivery; a job that already exists under its id is left as it is. */
export async function enqueueDeliveries(queue: Queue<DeliveryJob>, deliveries: ReadonlyArray<{ id: string; attemptCount: number; delayMs?: number }>): Promise<void> {
  if (!deliveries.length) return;
  await queue.addBulk(deliveries.map((d) => deliveryJob(d.id, d.attemptCount, d.delayMs)));
}
