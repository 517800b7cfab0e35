import { randomBytes } from 'node:crypto';
import { migrateDatabase } from '../../src/common/database/migrate';

/**
 * One database and one Redis key prefix per test run, so runs never see each other's data. The database name
 * must say "test": the teardown drops it, and we refuse to point that at anything else.
 */
export default async function globalSetup(): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/ih_test_${run}`;
  process.env.DATABASE_URL = base.toString();
  process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  process.env.REDIS_KEY_PREFIX = `ihtest${run}`;
  process.env.MIGRATE_ON_START = 'false';
  process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
  process.env.BOOTSTRAP_API_KEY = `test-bootstrap-${randomBytes(24).toString('hex')}`;
  process.env.ENCRYPTION_KEYS = `t1:${randomBytes(32).toString('base64')}`;
  process.env.NODE_ENV = 'test';
  // Workers started by tests listen for scrapes on a free loopback port each, never on the shared default 9464.
  process.env.HOST = '127.0.0.1';
  process.env.WORKER_METRICS_PORT = '0';
  await migrateDatabase({ databaseUrl: process.env.DATABASE_URL });
}
