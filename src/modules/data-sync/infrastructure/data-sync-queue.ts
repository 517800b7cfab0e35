import type { JobOptions, Queue } from 'bull';

/** One Bull job per data sync job run; the data sync job's row in PostgreSQL is the truth, the Bull job a nudge. */
export const DATA_SYNC_QUEUE = 'data-sync';

export interface DataSyncRunJob {
  dataSyncJobId: string;
}

/** Thrown back to Bull when the job cannot run now (no free slot, or it should resume later): Bull tries again soon. */
export class RunLaterError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RunLaterError';
  }
}

export const DATA_SYNC_BACKOFF = 'data-sync';
export const dataSyncBackoffStrategies = {
  // Waiting for a slot: a few seconds with jitter, so waiting jobs spread out; anything else backs off to a minute.
  [DATA_SYNC_BACKOFF]: (attemptsMade: number, error: Error): number =>
    error?.name === 'RunLaterError' ? 2000 + Math.floor(Math.random() * 2000) : Math.min(60_000, 1000 * 2 ** Math.min(attemptsMade, 6)),
};

const RUN_JOB_OPTIONS: JobOptions = { attempts: 100_000, backoff: { type: DATA_SYNC_BACKOFF }, removeOnComplete: true, removeOnFail: true };

/**
 * Queues a run of the job, delayed until `runAt`. The Bull job id is the data sync job's, so queueing it again
 * while a run is waiting or active adds nothing; two runs of one job could not both hold its lease anyway.
 */
export async function enqueueRun(queue: Queue<DataSyncRunJob>, dataSyncJobId: string, runAt = new Date()): Promise<void> {
  await queue.add({ dataSyncJobId }, { ...RUN_JOB_OPTIONS, jobId: `sync:${dataSyncJobId}`, delay: Math.max(0, runAt.getTime() - Date.now()) });
}
