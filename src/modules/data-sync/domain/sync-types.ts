/** The enumerations of spec §2.5, as their names on the wire. */
export const SYNC_TYPES = ['Full', 'Incremental', 'Differential'] as const;
export type SyncType = (typeof SYNC_TYPES)[number];

export const SYNC_DIRECTIONS = ['Import', 'Export', 'Bidirectional'] as const;
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number];

export const SYNC_STATUSES = ['Scheduled', 'Running', 'Completed', 'Failed', 'Cancelled', 'PartialSuccess'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export const FINISHED_STATUSES: readonly SyncStatus[] = ['Completed', 'Failed', 'Cancelled', 'PartialSuccess'];

export const SYNC_LOG_LEVELS = ['Information', 'Warning', 'Error'] as const;
export type SyncLogLevel = (typeof SYNC_LOG_LEVELS)[number];

/**
 * Where a run stands, saved with every batch in the transaction that stores the batch's records: a resumed
 * run starts exactly after the last committed batch, so nothing is counted twice.
 */
export interface SyncCheckpoint {
  /** Index into the connector's resources of the one being read. */
  resourceIndex: number;
  /** The source's position within that resource (cursor, page, offset or next link); null at its start. */
  cursor: string | null;
  /**
   * Records of the page at `cursor` an earlier batch already stored: a page bigger than DATA_SYNC_BATCH_SIZE is
   * stored in several batches (BR-DS-03). Absent when none.
   */
  skip?: number;
  /** Incremental: records modified at or after this instant are read (fixed when the job first starts). */
  since: string | null;
  /** Sum of the totals the source announced for the resources started so far. */
  reportedTotal: number;
  /** Export phase reached (imports of a Bidirectional sync are done). */
  exporting: boolean;
  /** Export: the last (localModifiedAt, key) exported, so a resumed export continues after it. */
  exportAfter: { modifiedAt: string; entity: string; externalId: string } | null;
  /**
   * Per entity, the newest source modified time among the records this job read and sent to be stored (one that
   * PostgreSQL then refused is logged and counted failed, as the job's other failures are). A job that ends Completed or
   * PartialSuccess has read everything up to it that had changed before the job started, so the next Incremental
   * starts there or at that start, whichever is earlier (the executor's watermark()); one that stopped midway
   * (cancelled, failed) may have read a newer record before older ones it never reached. Absent in checkpoints
   * written before it was kept.
   */
  readUpTo?: Record<string, string>;
}

export const INITIAL_CHECKPOINT: SyncCheckpoint = { resourceIndex: 0, cursor: null, since: null, reportedTotal: 0, exporting: false, exportAfter: null, readUpTo: {} };
