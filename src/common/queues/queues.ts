import { createHash } from 'node:crypto';
import type { Job, JobOptions } from 'bull';

/** Bull queues of the service. Payload types are exported beside their processors. */
export const DOMAIN_EVENTS_QUEUE = 'domain-events';
/** Scheduled housekeeping (expiry, retention): repeatable jobs (see ScheduleKeeper), each a named process on this queue. */
export const MAINTENANCE_QUEUE = 'maintenance';

/**
 * Retried with backoff for about 18 hours before a job is left failed for an operator to see: Bull's exponential
 * backoff waits (2^n − 1) s before the n-th retry, so 15 retries wait 1 + 3 + 7 + … + 32,767 s in all.
 */
export const DURABLE_JOB: JobOptions = {
  attempts: 16,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
  timeout: 5 * 60_000,
};

/**
 * The id of a job that carries several things (events, deliveries), derived from all their ids: Bull ignores a
 * job whose id it already holds, so queueing the same group again adds nothing, and a different group never
 * shares an id with it.
 */
export function groupJobId(prefix: string, memberIds: readonly string[]): string {
  return `${prefix}-${createHash('sha256').update(memberIds.join(',')).digest('base64url')}`;
}

/**
 * What a job looked up by id still means for the work it carries, for sweeps that queue again from PostgreSQL
 * what Redis lost: `live` (waiting, delayed, active or paused: it will run), `failed` (out of attempts), `completed`
 * (it ran; Bull keeps such jobs only when told to), or `missing` (never queued, removed, or lost with Redis).
 */
export async function jobStanding(job: Job | null): Promise<'live' | 'failed' | 'completed' | 'missing'> {
  if (!job) return 'missing';
  if (await job.isFailed()) return 'failed';
  if (await job.isCompleted()) return 'completed';
  return 'live';
}
