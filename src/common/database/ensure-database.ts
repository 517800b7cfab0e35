import { Client } from 'pg';

function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  return name;
}

/** A connection to the server's `postgres` database, from which databases are created and dropped. */
async function connectToServer(databaseUrl: string): Promise<Client> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Cannot reach PostgreSQL at ${admin.host} (DATABASE_URL): ${(error as Error).message}`);
  }
  return client;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Creates the database named in DATABASE_URL when it does not exist yet, so a newcomer with a bare PostgreSQL
 * can start the service with no set-up.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  const client = await connectToServer(databaseUrl);
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${quoted(name)}`);
  } catch (error) {
    // Two processes starting at once may both try; the loser sees 42P04 (duplicate database).
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const client = await connectToServer(databaseUrl);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoted(databaseName(databaseUrl))} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
