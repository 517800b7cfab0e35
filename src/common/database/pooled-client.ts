import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from 'pg';

/**
 * Runs `work` on a connection borrowed from MikroORM's pool, outside any transaction, for the few hot paths
 * that talk to the pg driver directly (named prepared statements, statements sent together).
 */
export async function withPooledClient<T>(em: EntityManager, work: (client: Client) => Promise<T>): Promise<T> {
  const knexClient = em.getConnection().getKnex().client;
  const client = (await knexClient.acquireConnection()) as Client;
  try {
    return await work(client);
  } finally {
    await knexClient.releaseConnection(client);
  }
}
