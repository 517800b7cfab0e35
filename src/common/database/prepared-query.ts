import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from 'pg';

/**
 * Runs a hot read as a named prepared statement on a pooled connection, outside any transaction: PostgreSQL
 * parses and plans it once per connection rather than on every call (MikroORM's `execute` inlines the
 * parameters into the SQL text, so each of its statements is planned anew). `text` uses `$1…` placeholders and
 * must be the same on every call with the same `name`.
 */
export async function queryPrepared<T>(em: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const knexClient = em.getConnection().getKnex().client;
  const connection = (await knexClient.acquireConnection()) as Client;
  try {
    return (await connection.query<T & object>({ name, text, values })).rows;
  } finally {
    await knexClient.releaseConnection(connection);
  }
}
