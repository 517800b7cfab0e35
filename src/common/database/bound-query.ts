import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Where a statement runs: an EntityManager's transaction when it has one, as `em.execute`; a connection's own, as `connection.execute`. */
export type StatementRunner = EntityManager | ReturnType<EntityManager['getConnection']>;

/**
 * Runs a statement with `?` placeholders (`\\?` for a literal question mark, as in the jsonb `?|` operator) as a
 * parameterized one: the values go to PostgreSQL beside the SQL text, and come back as the rows. MikroORM's
 * `execute` escapes every value into the text instead, character by character; for the batch statements of the
 * delivery pipeline, whose values run to tens of kilobytes (payloads, outcomes as JSON, arrays of ids), that
 * escaping made about two fifths of everything a worker allocated, and PostgreSQL then scanned the same kilobytes
 * again as literals. Errors are the pg driver's own, not MikroORM's exception classes.
 */
export async function queryBound<T = Record<string, unknown>>(runner: StatementRunner, sql: string, params: readonly unknown[]): Promise<T[]> {
  const query = runner.getKnex().raw(sql, params as Knex.RawBinding[]);
  if ('getTransactionContext' in runner) {
    const transaction = runner.getTransactionContext<Knex.Transaction>();
    if (transaction) void query.transacting(transaction);
  }
  return ((await query) as { rows: T[] }).rows;
}
