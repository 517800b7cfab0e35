import { startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

interface Tenant {
  id: string;
  name: string;
  maxActiveApiKeys: number | null;
  maxWebhooks: number | null;
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ field: string; messages: string[] }>;
}

/**
 * Tenants and their limits (BR-AK-03, BR-WH-07) over plain HTTP, not the SDK: PATCH /api/tenants/{id} is newer
 * than the generated client. Webhooks are created against a receiver on 127.0.0.1.
 */
describe('tenants over HTTP', () => {
  let hub: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    hub = await startTestApp();
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await hub.close();
    await receiver.close();
  });

  async function call<T>(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; contentType: string | null; body: T }> {
    const response = await hub.request(path, {
      method,
      key,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as T };
  }

  async function createTenant(body: Record<string, unknown>): Promise<{ tenant: Tenant; adminKey: string }> {
    const created = await call<{ tenant: Tenant; adminKey: { key: string } }>('POST', '/api/tenants', hub.bootstrapKey, body);
    expect(created.status).toBe(201);
    return { tenant: created.body.tenant, adminKey: created.body.adminKey.key };
  }

  const getTenant = async (id: string) => (await call<Tenant>('GET', `/api/tenants/${id}`, hub.bootstrapKey)).body;
  const patchTenant = (id: string, body: unknown, key = hub.bootstrapKey) => call<Tenant & Problem>('PATCH', `/api/tenants/${id}`, key, body);
  const createWebhook = (key: string, path: string) =>
    call<{ id: string } & Problem>('POST', '/api/webhooks', key, { url: receiver.url + path, eventTypes: ['APIKeyRevoked'] });

  it('creates a tenant with its own webhook limit; the webhook past it is refused with 409', async () => {
    const { tenant, adminKey } = await createTenant({ name: 'Two Hooks Ltd', maxWebhooks: 2 });
    expect(tenant).toMatchObject({ name: 'Two Hooks Ltd', maxWebhooks: 2, maxActiveApiKeys: null });
    expect(await getTenant(tenant.id)).toMatchObject({ maxWebhooks: 2 });

    expect((await createWebhook(adminKey, '/one')).status).toBe(201);
    expect((await createWebhook(adminKey, '/two')).status).toBe(201);
    const third = await createWebhook(adminKey, '/three');
    expect(third.status).toBe(409);
    expect(third.contentType).toContain('application/problem+json');
    expect(third.body).toMatchObject({ status: 409, code: 'webhook.limit_reached', limit: 2 });
  });

  it('PATCH raises and lowers the limits; below the current count only new creations are refused', async () => {
    const { tenant, adminKey } = await createTenant({ name: 'Growing Co' });
    expect(tenant).toMatchObject({ maxWebhooks: null, maxActiveApiKeys: null });

    const lowered = await patchTenant(tenant.id, { maxWebhooks: 1 });
    expect(lowered.status).toBe(200);
    expect(lowered.body).toMatchObject({ id: tenant.id, name: 'Growing Co', maxWebhooks: 1, maxActiveApiKeys: null });
    expect((await createWebhook(adminKey, '/g1')).status).toBe(201);
    expect((await createWebhook(adminKey, '/g2')).status).toBe(409);

    expect((await patchTenant(tenant.id, { maxWebhooks: 3, maxActiveApiKeys: 7, name: 'Grown Co' })).status).toBe(200);
    expect(await getTenant(tenant.id)).toMatchObject({ name: 'Grown Co', maxWebhooks: 3, maxActiveApiKeys: 7 });
    expect((await createWebhook(adminKey, '/g2')).status).toBe(201);
    expect((await createWebhook(adminKey, '/g3')).status).toBe(201);

    // Below the three it holds: accepted, nothing is deleted, the next creation is refused.
    const shrunk = await patchTenant(tenant.id, { maxWebhooks: 1 });
    expect(shrunk.status).toBe(200);
    const listed = await call<{ total: number }>('GET', '/api/webhooks', adminKey);
    expect(listed.body.total).toBe(3);
    expect((await createWebhook(adminKey, '/g4')).body).toMatchObject({ status: 409, code: 'webhook.limit_reached', limit: 1 });

    // null follows the configured default again.
    const reset = await patchTenant(tenant.id, { maxWebhooks: null });
    expect(reset.body).toMatchObject({ maxWebhooks: null, maxActiveApiKeys: 7, name: 'Grown Co' });
    expect((await createWebhook(adminKey, '/g4')).status).toBe(201);
  });

  it("writes a TenantUpdated audit entry of only what changed: the operator's key in its own trail, the platform in the tenant's", async () => {
    const { tenant, adminKey } = await createTenant({ name: 'Audited Inc' });
    const operator = await call<{ apiKeyId: string }>('GET', '/api/me', hub.bootstrapKey);
    expect((await patchTenant(tenant.id, { maxActiveApiKeys: 5 })).status).toBe(200);

    const audit = await call<{ items: Array<Record<string, unknown>> }>('GET', '/api/audit?resourceType=tenant&action=TenantUpdated', adminKey);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      resourceId: tenant.id,
      actorApiKeyId: null,
      ip: null,
      requestId: null,
      details: { changes: { maxActiveApiKeys: 5 }, modifiedBy: null },
    });

    const own = await call<{ items: Array<Record<string, unknown>> }>('GET', `/api/audit?action=TenantUpdated&resourceId=${tenant.id}`, hub.bootstrapKey);
    expect(own.body.items).toHaveLength(1);
    expect(own.body.items[0]).toMatchObject({
      resourceId: tenant.id,
      actorApiKeyId: operator.body.apiKeyId,
      ip: '127.0.0.1',
      details: { tenantId: tenant.id, changes: { maxActiveApiKeys: 5 } },
    });
  });

  it('refuses bad input with a 400 problem naming the field, and changes nothing', async () => {
    const { tenant } = await createTenant({ name: 'Strict Ltd', maxWebhooks: 5, maxActiveApiKeys: 10 });
    const cases: Array<[unknown, string[]]> = [
      [{ maxWebhooks: 0 }, ['maxWebhooks']],
      [{ maxWebhooks: 10_001 }, ['maxWebhooks']],
      [{ maxWebhooks: '3' }, ['maxWebhooks']],
      [{ maxActiveApiKeys: 1.5 }, ['maxActiveApiKeys']],
      [{ maxActiveApiKeys: 100_001 }, ['maxActiveApiKeys']],
      [{ name: '' }, ['name']],
      [{ name: null }, ['name']],
      [{ name: 'x'.repeat(201) }, ['name']],
      [{ plan: 'gold' }, ['plan']],
      [{ name: 'Renamed', maxWebhooks: -1 }, ['maxWebhooks']],
      [{}, ['name', 'maxActiveApiKeys', 'maxWebhooks']],
    ];
    for (const [body, fields] of cases) {
      const refused = await patchTenant(tenant.id, body);
      expect({ body, status: refused.status, contentType: refused.contentType }).toEqual({ body, status: 400, contentType: expect.stringContaining('application/problem+json') });
      expect(refused.body.code).toBe('validation_failed');
      expect(refused.body.errors?.map((e) => e.field).sort()).toEqual([...fields].sort());
    }
    expect(await getTenant(tenant.id)).toMatchObject({ name: 'Strict Ltd', maxWebhooks: 5, maxActiveApiKeys: 10 });

    const badId = await patchTenant('not-a-uuid', { maxWebhooks: 3 });
    expect(badId.status).toBe(400);
    expect(badId.body.errors?.[0].field).toBe('id');
  });

  it('answers 404 for an unknown tenant and 403 to a key without platform:admin', async () => {
    const missing = await patchTenant('6f1f1b7e-2c35-4a8e-9d8e-3b1c7a9d0e11', { maxWebhooks: 3 });
    expect(missing.status).toBe(404);
    expect(missing.contentType).toContain('application/problem+json');

    const { tenant, adminKey } = await createTenant({ name: 'Self Raiser', maxWebhooks: 2 });
    const forbidden = await patchTenant(tenant.id, { maxWebhooks: 10_000 }, adminKey);
    expect(forbidden.status).toBe(403);
    expect(forbidden.contentType).toContain('application/problem+json');
    expect(forbidden.body).toMatchObject({ code: 'auth.missing_scope' });
    expect(forbidden.body.detail).toContain('platform:admin');
    expect(await getTenant(tenant.id)).toMatchObject({ maxWebhooks: 2 });
  });
});
