import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { RetentionScheduler } from '../../src/common/retention/retention';
import { SECRET_VAULT, SecretVault } from '../../src/common/crypto/secret-vault';
import { reencryptSecrets } from '../../src/reencrypt-secrets.cli';
import { FAKE_CREDENTIALS } from '../support/fake-providers';
import { startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/** Key rotation of stored secrets (BR-IM-06/07: integrations; webhook signing secrets) and the 90-day log retention (§17.2). */
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

  it('re-encrypts every integration and webhook secret under the active key, so the old key can leave the ring', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const before = await start({ PROCESS_ROLE: 'api' });
      const tenant = await before.client(before.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Rotation' } });
      const admin = before.client(tenant.adminKey.key);
      const created = await admin.integrations.createIntegration({
        requestBody: { name: 'CRM', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken, portal: 'eu' } },
      });
      // A webhook in a secret rotation's grace period holds two sealed secrets, the current and the previous one.
      const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/rotation`, eventTypes: ['APIKeyGenerated'] } });
      const previousSecret = (await admin.webhooks.getWebhookSecret({ id: webhook.id })).secret;
      const currentSecret = (await admin.webhooks.rotateWebhookSecret({ id: webhook.id, requestBody: { gracePeriodSeconds: 3600 } })).secret;

      const sealed = async (app: TestApp) => {
        const connection = app.app.get(EntityManager).fork().getConnection();
        const [integration] = await connection.execute<Array<{ configuration: string }>>('SELECT configuration FROM integration WHERE id = ?', [created.id]);
        const [secrets] = await connection.execute<Array<{ secret: string; previous_secret: string }>>('SELECT secret, previous_secret FROM webhook WHERE id = ?', [webhook.id]);
        return [integration.configuration, secrets.secret, secrets.previous_secret];
      };
      expect(await sealed(before)).toEqual([expect.stringMatching(/^v2:t1:/), expect.stringMatching(/^v2:t1:/), expect.stringMatching(/^v2:t1:/)]);

      const rotating = await start({ PROCESS_ROLE: 'api', ENCRYPTION_KEYS: `${oldRing},${newKey}`, ENCRYPTION_ACTIVE_KEY: 't2' });
      const first = await reencryptSecrets(rotating.app.get(CommandBus));
      expect(first.integrations.resealed).toBeGreaterThanOrEqual(1);
      expect(first.webhooks.resealed).toBeGreaterThanOrEqual(1);
      expect(await sealed(rotating)).toEqual([expect.stringMatching(/^v2:t2:/), expect.stringMatching(/^v2:t2:/), expect.stringMatching(/^v2:t2:/)]);
      expect(await reencryptSecrets(rotating.app.get(CommandBus))).toMatchObject({ integrations: { resealed: 0 }, webhooks: { resealed: 0 } });

      const after = await start({ PROCESS_ROLE: 'api', ENCRYPTION_KEYS: newKey, ENCRYPTION_ACTIVE_KEY: 't2' });
      const read = await after.client(tenant.adminKey.key).integrations.getIntegration({ id: created.id });
      expect(read.configuration).toEqual({ accessToken: '********', portal: 'eu' });
      expect((await after.client(tenant.adminKey.key).webhooks.getWebhookSecret({ id: webhook.id })).secret).toBe(currentSecret);
      const [, , previousSealed] = await sealed(after);
      expect(after.app.get<SecretVault>(SECRET_VAULT).open(previousSealed, `webhook:${webhook.id}`)).toBe(previousSecret);
    } finally {
      await receiver.close();
    }
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
