import { defineConfig, Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from '../../../migrations';
import type { AppConfig } from '../config/app-config';

/**
 * MikroORM on PostgreSQL. Migrations are listed in code (migrations/index.ts) rather than discovered on disk,
 * so the same list runs from ts-node, jest and the compiled build. The schema is never synchronised.
 */
export function mikroOrmOptions(config: Pick<AppConfig, 'databaseUrl'>, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: config.databaseUrl,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, tableName: 'mikro_orm_migrations', snapshot: false },
    // Entities are loaded without their constructor by default; aggregates need theirs (it sets up the
    // list of pending domain events), so every entity has a no-argument constructor and static factories.
    forceEntityConstructor: true,
    // Every handler, processor and relay runs in its own context (em.fork / transactional); touching the
    // global identity map is a bug we want to hear about.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: 20 },
    debug: false,
    ...overrides,
  });
}
