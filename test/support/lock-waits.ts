import { EntityManager } from '@mikro-orm/postgresql';
import { eventually } from './test-app';

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

/**
 * Makes `change` (SQL with its `params`) in a transaction of its own, starts `request`, and commits once `request`
 * waits for a lock on `table`: the request then acts on what the change committed, the same way on every run.
 * Returns what `request` answered.
 */
export async function whileCommitting<T>(em: EntityManager, table: string, change: string, params: unknown[], request: () => Promise<T>): Promise<T> {
  const competing = await em.getConnection().getKnex().transaction();
  try {
    await competing.raw(change, params as never);
    const answer = request();
    answer.catch(() => undefined); // awaited below, after the commit
    await eventually(async () => {
      expect(await lockWaiters(em, table)).toBe(1);
    }, 10_000);
    await competing.commit();
    return await answer;
  } finally {
    if (!competing.isCompleted()) await competing.rollback();
  }
}
