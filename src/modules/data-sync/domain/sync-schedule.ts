import { SYNC_DIRECTIONS, SYNC_TYPES, SyncDirection, SyncType } from './sync-types';

/**
 * A recurring sync of an integration, from its configuration's `sync.schedule`:
 * `{ "syncType": "Incremental", "direction": "Import", "everyMinutes": 60 }`. The scheduler (every 15 minutes)
 * starts one when the last sync of that type began at least `everyMinutes` ago; the frequency rules still apply.
 */
export interface SyncSchedule {
  syncType: SyncType;
  direction: SyncDirection;
  everyMinutes: number;
}

/** The schedule, or null when there is none; a malformed one is reported, not guessed at. */
export function readSyncSchedule(configuration: Record<string, unknown>): { schedule: SyncSchedule | null; problem?: string } {
  const sync = configuration.sync;
  const schedule: unknown = typeof sync === 'object' && sync !== null ? (sync as { schedule?: unknown }).schedule : undefined;
  if (schedule === undefined) return { schedule: null };
  if (typeof schedule !== 'object' || schedule === null || Array.isArray(schedule)) {
    return { schedule: null, problem: 'sync.schedule must be an object: { "syncType": …, "direction": …, "everyMinutes": … }' };
  }
  return readFields(schedule as Record<string, unknown>);
}

function readFields(schedule: Record<string, unknown>): { schedule: SyncSchedule | null; problem?: string } {
  const syncType = schedule.syncType as SyncType;
  const direction = (schedule.direction ?? 'Import') as SyncDirection;
  const everyMinutes = schedule.everyMinutes;
  if (!SYNC_TYPES.includes(syncType)) return { schedule: null, problem: `sync.schedule.syncType must be one of ${SYNC_TYPES.join(', ')}` };
  if (!SYNC_DIRECTIONS.includes(direction)) return { schedule: null, problem: `sync.schedule.direction must be one of ${SYNC_DIRECTIONS.join(', ')}` };
  if (typeof everyMinutes !== 'number' || !Number.isInteger(everyMinutes) || everyMinutes < 15 || everyMinutes > 44_640) {
    return { schedule: null, problem: 'sync.schedule.everyMinutes must be an integer from 15 to 44640 (31 days)' };
  }
  return { schedule: { syncType, direction, everyMinutes } };
}
