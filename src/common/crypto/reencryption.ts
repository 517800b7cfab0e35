import type { EntityManager } from '@mikro-orm/postgresql';
import { NIL_UUID } from '../database/keyset';

/** One batch of a key rotation over one kind of sealed value (integrations, webhooks). */
export interface ReencryptionBatch {
  examined: number;
  resealed: number;
  /** Rows of the batch's range that other transactions held, left for another pass. */
  skipped: number;
  /** The id to continue after; null when every row was examined. */
  nextAfterId: string | null;
}

export interface ReencryptionTotals {
  examined: number;
  resealed: number;
}

/**
 * Runs batches (one transaction each) until every row was examined, in passes over all of them until a pass
 * skipped none that other transactions were changing. A row examined in two passes counts twice.
 */
export async function reencryptInBatches(runBatch: (afterId: string | null) => Promise<ReencryptionBatch>): Promise<ReencryptionTotals> {
  const totals = { examined: 0, resealed: 0 };
  let skipped: number;
  do {
    skipped = 0;
    let afterId: string | null = null;
    do {
      const batch: ReencryptionBatch = await runBatch(afterId);
      totals.examined += batch.examined;
      totals.resealed += batch.resealed;
      skipped += batch.skipped;
      afterId = batch.nextAfterId;
    } while (afterId);
  } while (skipped > 0);
  return totals;
}

/** The ids of one batch of `table`'s rows, in id order after `afterId` (the first batch when null). */
export async function reencryptionRange(em: EntityManager, table: string, afterId: string | null, batchSize: number): Promise<string[]> {
  const rows = await em.execute<Array<{ id: string }>>(`SELECT id FROM ${table} WHERE id > ? ORDER BY id LIMIT ?`, [afterId ?? NIL_UUID, batchSize]);
  return rows.map((row) => row.id);
}

/**
 * The account of a batch over `ids`, of which `examined` rows could be locked. A row deleted since the range was
 * read counts as skipped too, which costs at most a needless pass.
 */
export function reencryptionBatch(ids: readonly string[], examined: number, resealed: number, batchSize: number): ReencryptionBatch {
  return { examined, resealed, skipped: ids.length - examined, nextAfterId: ids.length === batchSize ? ids[ids.length - 1] : null };
}
