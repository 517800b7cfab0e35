import { Injectable, Logger } from '@nestjs/common';
import { RedisChannels } from '../../../common/redis/redis.module';

/** What a progress update carries: the job's counters and state after a batch or at its end. */
export interface ProgressUpdate {
  jobId: string;
  status: string;
  recordsTotal: number;
  recordsProcessed: number;
  recordsFailed: number;
  startedAt: string | null;
  completedAt: string | null;
}

const CHANNEL = 'data-sync-progress';

/**
 * Progress of running jobs over Redis pub/sub (UC-DS-03, SignalR's stand-in): the worker publishes after each
 * committed batch, and whichever API replica holds a client's stream passes it on. One subscription per
 * process for every job, fanned out here, so streams come and go without Redis subscriptions of their own.
 */
@Injectable()
export class SyncProgressChannel {
  private readonly logger = new Logger(SyncProgressChannel.name);
  private readonly listeners = new Map<string, Set<(update: ProgressUpdate) => void>>();
  private subscribed: Promise<void> | undefined;

  constructor(private readonly redis: RedisChannels) {}

  async publish(update: ProgressUpdate): Promise<void> {
    try {
      await this.redis.publish(CHANNEL, JSON.stringify(update));
    } catch (error) {
      // Progress is advisory: streams re-read the job on their own, so a lost update only delays one.
      this.logger.warn(`Publishing progress of ${update.jobId}: ${(error as Error).message}`);
    }
  }

  /** Calls `listener` with each update of the job; returns the function that stops it. */
  async listen(jobId: string, listener: (update: ProgressUpdate) => void): Promise<() => void> {
    // A failed subscription is forgotten, so the next stream tries again instead of failing like the first.
    this.subscribed ??= this.redis.subscribe(CHANNEL, (message) => this.dispatch(message)).catch((error: unknown) => {
      this.subscribed = undefined;
      throw error;
    });
    await this.subscribed;
    const set = this.listeners.get(jobId) ?? new Set();
    set.add(listener);
    this.listeners.set(jobId, set);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(jobId);
    };
  }

  private dispatch(message: string): void {
    const update = JSON.parse(message) as ProgressUpdate;
    for (const listener of this.listeners.get(update.jobId) ?? []) listener(update);
  }
}
