import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs a `DELETE … WHERE id IN (SELECT id … LIMIT batchSize)` until it deletes fewer than a batch, each
 * statement its own short transaction, so retention clean-ups never hold a large table locked.
 */
export async function deleteInBatches(em: EntityManager, sql: string, params: unknown[], batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await em.getConnection().execute(sql, params, 'run');
    const affected = (result as { affectedRows?: number }).affectedRows ?? 0;
    total += affected;
    if (affected < batchSize) return total;
  }
}
