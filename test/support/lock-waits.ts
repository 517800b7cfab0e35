import { EntityManager } from '@mikro-orm/postgresql';

/**
 * How many statements of this database wait for a lock, only those whose text mentions `table` when it is given.
 * Race specs hold a row lock in one transaction and wait until the request under test blocks on it, so the race
 * happens in a known order without sleeping.
 */
export async function lockWaiters(em: EntityManager, table?: string): Promise<number> {
  const [row] = await em
    .fork()
    .getConnection()
    .execute<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'${table ? ' AND query LIKE ?' : ''}`,
      table ? [`%${table}%`] : [],
    );
  return Number(row.n);
}
