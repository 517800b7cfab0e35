import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from 'knex';
import { ApiError, IntegrationHubClient } from '../../sdk/dist';
import { HeldApi } from '../support/held-api';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { lockWaiters } from '../support/lock-waits';

type Settled<T> = { value: T; error?: undefined } | { value?: undefined; error: ApiError };

/**
 * BR-IM-01 while PUT /api/integrations/settings makes a kind single-provider and an integration of that kind is
 * being activated. A competing transaction holds a row one of the two requests writes, so that request stops at a
 * known point; the other starts then, and the row is let go once that one has finished or waits too. The
 * interleaving is the same on every run.
 */
describe('activating an integration while the settings change', () => {
  let api: TestApp;
  let provider: HeldApi;
  let baseUrl: string;

  beforeAll(async () => {
    provider = new HeldApi();
    baseUrl = await provider.start();
    api = await startTestApp({ PROCESS_ROLE: 'api', INTEGRATIONS_CALL_TIMEOUT_MS: '60000' });
  });

  afterAll(async () => {
    provider?.release();
    await api?.close();
    await provider?.close();
  });

  /** A tenant that allows several Active payment gateways, with one Active already. */
  async function tenantWithOneActiveGateway(): Promise<{ admin: IntegrationHubClient; tenantId: string; activeId: string }> {
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: `Settings race ${randomUUID()}` } });
    const admin = api.client(tenant.adminKey.key);
    await admin.integrations.updateIntegrationSettings({ requestBody: { singleProviderTypes: [] } });
    const active = await gateway(admin, 200);
    expect((await admin.integrations.testIntegration({ id: active.id })).integration.status).toBe('Active');
    return { admin, tenantId: tenant.tenant.id, activeId: active.id };
  }

  /** A payment gateway whose provider answers `status` at once, or (undefined) when the test says so. */
  async function gateway(admin: IntegrationHubClient, status?: number): Promise<{ id: string; token: string }> {
    const token = `t-${randomUUID()}`;
    if (status) provider.answer(token, status);
    const created = await admin.integrations.createIntegration({
      requestBody: { name: `Gateway ${token}`, integrationType: 'PaymentGateway', provider: 'Custom', configuration: { baseUrl, healthPath: '/status', auth: { type: 'bearer', token } } },
    });
    return { id: created.id, token };
  }

  function settle<T>(request: Promise<T>): Promise<Settled<T>> {
    return request.then(
      (value) => ({ value }),
      (error: unknown) => {
        if (error instanceof ApiError) return { error };
        throw error;
      },
    );
  }

  /** Waits until `request` has finished or `waiters` sessions wait for a lock. */
  async function untilDoneOrWaiting(request: Promise<unknown>, waiters: number): Promise<void> {
    let done = false;
    void request.finally(() => (done = true));
    await eventually(async () => {
      if (!done) expect(await lockWaiters(api.app.get(EntityManager))).toBe(waiters);
    }, 10_000);
  }

  /** Runs `work` while a transaction of its own holds the rows `lock` selects FOR UPDATE. */
  async function holding(lock: string, params: string[], work: () => Promise<void>): Promise<void> {
    const competing: Knex.Transaction = await api.app.get(EntityManager).getConnection().getKnex().transaction();
    try {
      await competing.raw(`${lock} FOR UPDATE`, params);
      await work();
    } finally {
      await competing.rollback();
    }
  }

  const activeGateways = async (tenantId: string) =>
    Number((await api.app.get(EntityManager).fork().getConnection().execute<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM integration WHERE tenant_id = ? AND integration_type = 'PaymentGateway' AND status = 'Active'`, [tenantId],
    ))[0].n);

  it('refuses to make the kind single-provider when an activation that read "several allowed" commits first', async () => {
    const { admin, tenantId } = await tenantWithOneActiveGateway();
    const second = await gateway(admin);
    const activation = settle(admin.integrations.testIntegration({ id: second.id }));
    await provider.arrived(second.token);
    let settings!: Promise<Settled<unknown>>;
    // The activation stops when it writes the Active integration's counter row, having read the settings.
    await holding(`SELECT n FROM integration_count WHERE tenant_id = ? AND integration_type = 'PaymentGateway' AND status = 'Active'`, [tenantId], async () => {
      provider.answer(second.token, 200);
      await eventually(async () => expect(await lockWaiters(api.app.get(EntityManager))).toBe(1), 10_000);
      settings = settle(admin.integrations.updateIntegrationSettings({ requestBody: { singleProviderTypes: ['PaymentGateway'] } }));
      await untilDoneOrWaiting(settings, 2);
    });

    expect((await activation).value?.integration.status).toBe('Active');
    const refused = (await settings).error;
    expect(refused?.status).toBe(409);
    expect(refused?.body.code).toBe('integration.one_active_per_type');
    expect(await activeGateways(tenantId)).toBe(2);
    expect((await admin.integrations.getIntegrationSettings()).singleProviderTypes).toEqual([]);
  });

  it('answers 409 to an activation that raced a settings change making the kind single-provider, not 500 to the change', async () => {
    const { admin, tenantId, activeId } = await tenantWithOneActiveGateway();
    const second = await gateway(admin, 200);
    let activation!: Promise<Settled<unknown>>;
    let settings!: Promise<Settled<unknown>>;
    // The settings change stops at the Active integration's row, having counted the Active gateways.
    await holding('SELECT id FROM integration WHERE id = ?', [activeId], async () => {
      settings = settle(admin.integrations.updateIntegrationSettings({ requestBody: { singleProviderTypes: ['PaymentGateway'] } }));
      await eventually(async () => expect(await lockWaiters(api.app.get(EntityManager))).toBe(1), 10_000);
      activation = settle(admin.integrations.testIntegration({ id: second.id }));
      await untilDoneOrWaiting(activation, 2);
    });

    expect((await settings).value).toEqual({ singleProviderTypes: ['PaymentGateway'] });
    const refused = (await activation).error;
    expect(refused?.status).toBe(409);
    expect(refused?.body.code).toBe('integration.one_active_per_type');
    expect(await activeGateways(tenantId)).toBe(1);
    expect((await admin.integrations.getIntegration({ id: second.id })).status).toBe('Draft');
  });
});
