import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { RetentionScheduler } from '../../src/common/retention/retention';
import { reencryptIntegrationSecrets } from '../../src/modules/integrations/reencrypt-integration-secrets.cli';
import { FAKE_CREDENTIALS } from '../support/fake-providers';
import { startTestApp, TestApp } from '../support/test-app';

/** Key rotation of integration secrets (BR-IM-06/07) and the 90-day log retention (§17.2). */
describe('integration secrets and logs', () => {
  const oldRing = process.env.ENCRYPTION_KEYS!;
  const newKey = `t2:${randomBytes(32).toString('base64')}`;
  const apps: TestApp[] = [];

  // Apps stay up until the end: MikroORM's metadata does not survive every app of a test file closing.
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  async function start(env: Record<string, string>): Promise<TestApp> {
    const app = await startTestApp(env);
    apps.push(app);
    return app;
  }

  it('re-encrypts every integration under the active key, so the old key can leave the ring', async () => {
    const before = await start({ PROCESS_ROLE: 'api' });
    const tenant = await before.client(before.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Rotation' } });
    const created = await before.client(tenant.adminKey.key).integrations.createIntegration({
      requestBody: { name: 'CRM', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken, portal: 'eu' } },
    });
    const sealed = async (app: TestApp) =>
      (await app.app.get(EntityManager).fork().getConnection().execute<Array<{ configuration: string }>>('SELECT configuration FROM integration WHERE id = ?', [created.id]))[0].configuration;
    expect(await sealed(before)).toMatch(/^v2:t1:/);

    const rotating = await start({ PROCESS_ROLE: 'api', ENCRYPTION_KEYS: `${oldRing},${newKey}`, ENCRYPTION_ACTIVE_KEY: 't2' });
    const first = await reencryptIntegrationSecrets(rotating.app.get(CommandBus));
    expect(first.resealed).toBeGreaterThanOrEqual(1);
    expect(await sealed(rotating)).toMatch(/^v2:t2:/);
    expect((await reencryptIntegrationSecrets(rotating.app.get(CommandBus))).resealed).toBe(0);

    const after = await start({ PROCESS_ROLE: 'api', ENCRYPTION_KEYS: newKey, ENCRYPTION_ACTIVE_KEY: 't2' });
    const read = await after.client(tenant.adminKey.key).integrations.getIntegration({ id: created.id });
    expect(read.configuration).toEqual({ accessToken: '********', portal: 'eu' });
  });

  it('deletes integration logs older than the retention period', async () => {
    const app = await start({ INTEGRATIONS_LOG_RETENTION_DAYS: '90' });
    const tenant = await app.client(app.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Retention' } });
    const admin = app.client(tenant.adminKey.key);
    const created = await admin.integrations.createIntegration({ requestBody: { name: 'CRM', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: 't' } } });
    const connection = app.app.get(EntityManager).fork().getConnection();
    await connection.execute(
      `INSERT INTO integration_log (id, tenant_id, integration_id, log_level, message, created_at) VALUES (gen_random_uuid(), ?, ?, 'Information', 'old', now() - interval '91 days')`,
      [tenant.tenant.id, created.id],
    );
    expect((await admin.integrations.listIntegrationLogs({ id: created.id })).total).toBe(2);
    expect(await app.app.get(RetentionScheduler).purgeNow('integration-logs')).toBeGreaterThanOrEqual(1);
    const remaining = await admin.integrations.listIntegrationLogs({ id: created.id });
    expect(remaining.items.map((l) => l.message)).toEqual([expect.stringContaining('Integration created')]);
  });

  it('refuses a custom API on loopback when loopback targets are not allowed, storing nothing', async () => {
    const strict = await start({ PROCESS_ROLE: 'api', ALLOW_LOOPBACK_TARGETS: 'false' });
    const tenant = await strict.client(strict.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Strict' } });
    const admin = strict.client(tenant.adminKey.key);
    for (const baseUrl of ['http://127.0.0.1:9/api', 'https://localhost:9/api', 'https://[::1]:9/api']) {
      const refused = await admin.integrations
        .createIntegration({ requestBody: { name: 'Loopback', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl } } })
        .catch((error: { status: number; body: { errors: Array<{ field: string }> } }) => error);
      expect(refused).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'configuration.baseUrl' })] } });
    }
    expect((await admin.integrations.listIntegrations({})).total).toBe(0);
  });
});
