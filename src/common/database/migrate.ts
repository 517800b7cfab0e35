import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { AppConfig } from '../config/app-config';
import { ensureDatabase } from './ensure-database';
import { mikroOrmOptions } from './mikro-orm.options';

const MIGRATION_LOCK_ID = 727274;

/**
 * Creates the database when missing and applies every pending migration. Safe with several replicas starting.
 * `log` receives the migrator's lines (the service passes its JSON logger); without it they go to the console.
 */
export async function migrateDatabase(config: Pick<AppConfig, 'databaseUrl'>, log?: (message: string) => void): Promise<string[]> {
  await ensureDatabase(config.databaseUrl);
  // One migrator at a time across replicas: the others wait on the lock, then find nothing pending.
  const lock = new Client({ connectionString: config.databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const orm = await MikroORM.init(mikroOrmOptions(config, { entities: [], discovery: { warnWhenNoEntities: false }, ...(log && { logger: log, colors: false }) }));
    try {
      const applied = await orm.getMigrator().up();
      return applied.map((m) => m.name);
    } finally {
      await orm.close(true);
    }
  } finally {
    await lock.end();
  }
}
