import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import type { IntegrationHubClient } from '../../sdk/dist';
import { HeldApi } from '../support/held-api';
import { startTestApp, TestApp } from '../support/test-app';
import { whileCommitting } from '../support/lock-waits';

/**
 * BR-IM-02 against a test whose provider answers late: only an outcome for the configuration the integration
 * holds now, while it still awaits one, may decide its status.
 */
describe('a test result that arrives after the configuration changed', () => {
  let api: TestApp;
  let provider: HeldApi;
  let baseUrl: string;
  let admin: IntegrationHubClient;

  beforeAll(async () => {
    provider = new HeldApi();
    baseUrl = await provider.start();
    api = await startTestApp({ PROCESS_ROLE: 'api', INTEGRATIONS_CALL_TIMEOUT_MS: '60000' });
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: `Stale tests ${randomUUID()}` } });
    admin = api.client(tenant.adminKey.key);
  });

  afterAll(async () => {
    provider?.release();
    await api?.close();
    await provider?.close();
  });

  const configuration = (token: string) => ({ baseUrl, healthPath: '/status', auth: { type: 'bearer', token } });

  it('neither activates the changed configuration nor hides the failure of its own test', async () => {
    const [tokenA, tokenB] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    const created = await admin.integrations.createIntegration({ requestBody: { name: 'Late API', integrationType: 'CustomAPI', provider: 'Custom', configuration: configuration(tokenA) } });

    const firstTest = admin.integrations.testIntegration({ id: created.id });
    await provider.arrived(tokenA);
    const updated = await admin.integrations.updateIntegration({ id: created.id, requestBody: { configuration: configuration(tokenB) } });
    expect(updated.status).toBe('Draft');
    const secondTest = admin.integrations.testIntegration({ id: created.id });
    await provider.arrived(tokenB);

    // Configuration A passes; the integration now holds B, which its own test is still checking.
    provider.answer(tokenA, 200);
    const first = await firstTest;
    expect(first.success).toBe(true);
    expect(first.integration.status).toBe('PendingValidation');

    provider.answer(tokenB, 404);
    const second = await secondTest;
    expect(second).toMatchObject({ success: false, failure: 'configuration', integration: { status: 'Draft' } });
    expect((await admin.integrations.getIntegration({ id: created.id })).status).toBe('Draft');
  });

  it('does not overwrite an update that commits while the outcome is being recorded', async () => {
    const token = `c-${randomUUID()}`;
    const created = await admin.integrations.createIntegration({ requestBody: { name: 'Edited API', integrationType: 'CustomAPI', provider: 'Custom', configuration: configuration(token) } });
    const test = admin.integrations.testIntegration({ id: created.id });
    await provider.arrived(token);
    // What an update leaves, held uncommitted until the outcome is waiting to be recorded.
    await whileCommitting(api.app.get(EntityManager), 'integration', `UPDATE integration SET status = 'Draft', status_reason = 'The configuration changed' WHERE id = ?`, [created.id], async () =>
      provider.answer(token, 200),
    );
    const tested = await test;
    expect(tested).toMatchObject({ success: true, integration: { status: 'Draft' } });
    expect(tested.message).toMatch(/not applied/);
    expect((await admin.integrations.getIntegration({ id: created.id })).status).toBe('Draft');
  });
});
