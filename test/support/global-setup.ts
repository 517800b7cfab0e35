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
  // No app a spec starts may reach a real provider: every provider base URL defaults to a closed loopback port
  // (specs with fakes override these, as they always did), and the health sweep never fires on its own during a
  // run, so it cannot probe integrations other specs left Active.
  const closedLoopback = 'http://127.0.0.1:9';
  for (const name of [
    'INTEGRATIONS_STRIPE_URL',
    'INTEGRATIONS_PAYPAL_URL',
    'INTEGRATIONS_SENDGRID_URL',
    'INTEGRATIONS_TWILIO_URL',
    'INTEGRATIONS_HUBSPOT_URL',
    'INTEGRATIONS_GOOGLE_CALENDAR_URL',
    'INTEGRATIONS_GOOGLE_AUTHORIZE_URL',
    'INTEGRATIONS_GOOGLE_TOKEN_URL',
    'INTEGRATIONS_MICROSOFT_GRAPH_URL',
    'INTEGRATIONS_MICROSOFT_LOGIN_URL',
  ]) {
    process.env[name] = closedLoopback;
  }
  process.env.INTEGRATIONS_HEALTH_CHECK_CRON = '0 0 1 1 *';
  // Nor the hourly anomaly sweep: the anomalies spec runs it at the times it chooses, and a sweep at hh:10 would move its baselines.
  process.env.ANOMALY_DETECTION_CRON = '0 0 1 1 *';
  await migrateDatabase({ databaseUrl: process.env.DATABASE_URL });
}
