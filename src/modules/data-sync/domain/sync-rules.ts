import type { SyncType } from './sync-types';

/** BR-DS-01/02: the least time between two syncs of a type on one integration; a type not listed is not limited. */
export type FrequencyWindows = Partial<Record<SyncType, number>>;

/**
 * When a job really runs, which the frequency rules compare: its scheduled time, or its creation when it was
 * scheduled in the past (§7.4 accepts up to 30 days back, and such a job is due at once). Comparing the times
 * callers wrote instead let Full syncs backdated a day apart (29, 27, 25… days ago) all pass and all run now.
 */
export function runsAt(scheduledAt: Date, createdAt: Date): Date {
  return scheduledAt > createdAt ? scheduledAt : createdAt;
}

/** runsAt() of a stored data_sync_job row, in SQL. */
export const RUNS_AT_SQL = 'GREATEST(scheduled_at, created_at)';

/**
 * When a sync of `syncType` scheduled at `scheduledAt` would break the frequency rule because of syncs of the same
 * type already scheduled or run at `others`, the earliest time it may be scheduled instead; null when allowed.
 */
export function nextAllowedAt(syncType: SyncType, scheduledAt: Date, others: Date[], windows: FrequencyWindows): Date | null {
  const windowMs = windows[syncType];
  if (!windowMs) return null;
  const clashing = others.filter((other) => Math.abs(other.getTime() - scheduledAt.getTime()) < windowMs);
  if (!clashing.length) return null;
  return new Date(Math.max(...clashing.map((other) => other.getTime())) + windowMs);
}

/** An integration as the sync rules see it. */
export interface IntegrationSyncState {
  status: string;
  isEnabled: boolean;
}

/**
 * Why an integration cannot be synced now, or null when it can: it must be Active (§7.4) and enabled, since a
 * disabled integration is off everywhere in the service (health checks, recurring syncs and incoming webhooks skip
 * it). Checked when a sync is created, when each run starts, and after each batch a run stores.
 */
export function syncBlocker(integration: IntegrationSyncState): 'not-active' | 'disabled' | null {
  if (integration.status !== 'Active') return 'not-active';
  return integration.isEnabled ? null : 'disabled';
}

export interface ProgressCounts {
  recordsTotal: number;
  recordsProcessed: number;
  recordsFailed: number;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface Progress {
  /** Processed and failed out of the total; null while the total is unknown. */
  percent: number | null;
  recordsRemaining: number;
  /** Records handled per second since the job started. */
  recordsPerSecond: number | null;
  estimatedCompletionAt: Date | null;
}

/** UC-DS-03: how far a job is, how fast it goes, and when it should end at that pace. */
export function progressOf(counts: ProgressCounts, now = new Date()): Progress {
  const done = counts.recordsProcessed + counts.recordsFailed;
  const total = Math.max(counts.recordsTotal, done);
  const percent = total > 0 ? Math.round((done / total) * 1000) / 10 : counts.completedAt ? 100 : null;
  const remaining = total - done;
  if (!counts.startedAt) return { percent, recordsRemaining: remaining, recordsPerSecond: null, estimatedCompletionAt: null };
  const seconds = ((counts.completedAt ?? now).getTime() - counts.startedAt.getTime()) / 1000;
  const rate = seconds > 0 ? Math.round((done / seconds) * 10) / 10 : null;
  const eta = counts.completedAt ?? (rate && remaining > 0 ? new Date(now.getTime() + (remaining / rate) * 1000) : null);
  return { percent, recordsRemaining: remaining, recordsPerSecond: rate, estimatedCompletionAt: eta };
}
