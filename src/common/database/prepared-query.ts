import type { EntityManager } from '@mikro-orm/postgresql';
import { withPooledClient } from './pooled-client';

/**
 * Runs a hot read as a named prepared statement on a pooled connection, outside any transaction: PostgreSQL
 * parses and plans it once per connection rather than on every call (MikroORM's `execute` inlines the
 * parameters into the SQL text, so each of its statements is planned anew). `text` uses `$1…` placeholders and
 * must be the same on every call with the same `name`.
 */
export function queryPrepared<T>(em: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  return withPooledClient(em, async (client) => (await client.query<T & object>({ name, text, values })).rows);
}
