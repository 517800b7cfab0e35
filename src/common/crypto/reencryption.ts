import type { EntityManager } from '@mikro-orm/postgresql';
import { queryBound } from '../database/bound-query';
import { NIL_UUID } from '../database/keyset';
import type { SecretVault } from './secret-vault';

/** One batch of a key rotation over one kind of sealed value (integrations, webhooks). */
export interface ReencryptionBatch {
  examined: number;
  resealed: number;
  /** Rows that needed re-sealing but that other transactions held, left for another pass. */
  skipped: number;
  /** Rows whose sealed values cannot be opened (their key has left ENCRYPTION_KEYS): reported, never retried. */
  unreadable: string[];
  /** The id to continue after; null when every row was examined. */
  nextAfterId: string | null;
}

export interface ReencryptionTotals {
  examined: number;
  resealed: number;
  unreadable: string[];
}

/**
 * Runs batches (one transaction each) until every row was examined, in passes over all of them until a pass
 * skipped none that other transactions were changing. A row examined in two passes counts twice.
 */
export async function reencryptInBatches(runBatch: (afterId: string | null) => Promise<ReencryptionBatch>): Promise<ReencryptionTotals> {
  const totals: ReencryptionTotals = { examined: 0, resealed: 0, unreadable: [] };
  let skipped: number;
  do {
    skipped = 0;
    let afterId: string | null = null;
    do {
      const batch: ReencryptionBatch = await runBatch(afterId);
      totals.examined += batch.examined;
      totals.resealed += batch.resealed;
      totals.unreadable.push(...batch.unreadable.filter((id) => !totals.unreadable.includes(id)));
      skipped += batch.skipped;
      afterId = batch.nextAfterId;
    } while (afterId);
  } while (skipped > 0);
  return totals;
}

/** One batch's range of a table: every id in it (to go on from), and those holding a value sealed under an old key. */
export interface ReencryptionRange {
  ids: string[];
  stale: string[];
}

/**
 * The next `batchSize` rows of `table` after `afterId`, read without locks, and which of them hold a value in one
 * of `sealedColumns` that must be re-sealed. Only those are then locked: a row already under the active key is
 * never waited on, and never counted as skipped, so rows that the service keeps changing (a webhook's counters,
 * an integration's health) cost another pass only while they still need the rotation.
 */
export async function reencryptionRange(
  em: EntityManager,
  vault: SecretVault,
  table: string,
  sealedColumns: readonly string[],
  afterId: string | null,
  batchSize: number,
): Promise<ReencryptionRange> {
  const rows = await queryBound<Record<string, string | null>>(em, `SELECT id, ${sealedColumns.join(', ')} FROM ${table} WHERE id > ? ORDER BY id LIMIT ?`, [
    afterId ?? NIL_UUID,
    batchSize,
  ]);
  return {
    ids: rows.map((row) => row.id!),
    stale: rows.filter((row) => sealedColumns.some((column) => row[column] && vault.isStale(row[column]))).map((row) => row.id!),
  };
}

/** The account of a batch over `range`, of whose stale rows `locked` could be locked. */
export function reencryptionBatch(range: ReencryptionRange, locked: number, resealed: number, unreadable: string[], batchSize: number): ReencryptionBatch {
  return {
    examined: range.ids.length - (range.stale.length - locked),
    resealed,
    // A stale row deleted since the range was read counts as skipped too, which costs at most a needless pass.
    skipped: range.stale.length - locked,
    unreadable,
    nextAfterId: range.ids.length === batchSize ? range.ids[range.ids.length - 1] : null,
  };
}
