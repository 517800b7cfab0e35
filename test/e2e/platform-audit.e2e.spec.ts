import { randomUUID } from 'node:crypto';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import type { AuditEntryDto as AuditEntry } from '../../sdk/dist';


interface Page<T> {
  items: T[];
  total: number;
}

/**
 * The platform operator (the bootstrap key, of the default tenant) acting on another tenant: the target tenant's
 * audit trail, keys and webhooks never name the operator's key, address or request (DESIGN.md, "Tenancy and
 * authorization"), while the operator's own trail says who did what to which tenant. The operator calls through a
 * trusted proxy (X-Forwarded-For) from an address of its own, so "not the operator's IP" means something: the
 * tenant admin calls from 127.0.0.1.
 */
describe('platform actions on a tenant, as each tenant sees them', () => {
  const OPERATOR_IP = '203.0.113.77';
  let hub: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    hub = await startTestApp({ TRUST_PROXY: 'loopback' });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await hub.close();
    await receiver.close();
  });

  async function call<T>(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const response = await hub.request(path, {
      method,
      key,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** The operator's request: from its own address, with a request id it chose. */
  const asOperator = <T>(method: string, path: string, requestId: string, body?: unknown) =>
    call<T>(method, path, hub.bootstrapKey, body, { 'x-forwarded-for': OPERATOR_IP, 'x-request-id': requestId });

  it("keeps the operator's key, IP and request id out of the target tenant and records them in the operator's own trail", async () => {
    const operator = (await call<{ apiKeyId: string; tenantId: string }>('GET', '/api/me', hub.bootstrapKey)).body;
    // A second key of the default tenant, so "no key of the default tenant" covers more than the acting one.
    expect((await call('POST', '/api/apikeys', hub.bootstrapKey, { keyName: 'Operator helper', scopes: ['integration:read'] })).status).toBe(201);
    const defaultKeyIds = (await call<Page<{ id: string }>>('GET', '/api/apikeys?pageSize=100', hub.bootstrapKey)).body.items.map((k) => k.id);
    expect(defaultKeyIds).toContain(operator.apiKeyId);
    expect(defaultKeyIds.length).toBeGreaterThanOrEqual(2);

    const createRequest = `op-create-${randomUUID()}`;
    const created = await asOperator<{ tenant: { id: string }; adminKey: { id: string; key: string; createdBy: string | null } }>('POST', '/api/tenants', createRequest, {
      name: 'Watched Ltd',
    });
    expect(created.status).toBe(201);
    const { tenant, adminKey } = created.body;
    expect(adminKey.createdBy).toBeNull();

    // The tenant subscribes to its own TenantUpdated events: the delivery must not name the operator either.
    const hook = await call<{ id: string }>('POST', '/api/webhooks', adminKey.key, { url: `${receiver.url}/tenant-updated`, eventTypes: ['TenantUpdated'] });
    expect(hook.status).toBe(201);

    const updateRequest = `op-update-${randomUUID()}`;
    expect((await asOperator('PATCH', `/api/tenants/${tenant.id}`, updateRequest, { name: 'Watched Group', maxWebhooks: 9 })).status).toBe(200);
    const [delivery] = await eventually(async () => {
      const events = receiver.events('/tenant-updated');
      expect(events).toHaveLength(1);
      return events;
    }, 15_000);

    // What the new tenant's admin can read.
    const trail = await call<Page<AuditEntry>>('GET', '/api/audit?pageSize=100', adminKey.key);
    const keys = await call<Page<{ id: string; createdBy: string | null }>>('GET', '/api/apikeys?pageSize=100', adminKey.key);
    const ownKey = await call<{ id: string; createdBy: string | null }>('GET', `/api/apikeys/${adminKey.id}`, adminKey.key);
    expect([trail.status, keys.status, ownKey.status]).toEqual([200, 200, 200]);
    expect(ownKey.body.createdBy).toBeNull();
    expect(keys.body.items.map((k) => k.createdBy)).toEqual([null]);

    const byAction = (action: string) => trail.body.items.filter((e) => e.action === action);
    const platform = { actorApiKeyId: null, ip: null, requestId: null };
    expect(byAction('TenantCreated')).toEqual([expect.objectContaining({ resourceId: tenant.id, ...platform, details: expect.objectContaining({ createdBy: null }) })]);
    expect(byAction('APIKeyGenerated')).toEqual([expect.objectContaining({ resourceId: adminKey.id, ...platform, details: expect.objectContaining({ createdBy: null }) })]);
    expect(byAction('TenantUpdated')).toEqual([
      expect.objectContaining({ resourceId: tenant.id, ...platform, details: expect.objectContaining({ changes: { name: 'Watched Group', maxWebhooks: 9 }, modifiedBy: null }) }),
    ]);

    const seenByTenant = JSON.stringify([trail.body, keys.body, ownKey.body, delivery.body]);
    for (const foreign of [...defaultKeyIds, OPERATOR_IP, createRequest, updateRequest]) expect(seenByTenant).not.toContain(foreign);

    // The operator's own trail: who did what to which tenant, with its key, address and request.
    const mine = async (action: string, resourceId: string) =>
      (await call<Page<AuditEntry>>('GET', `/api/audit?action=${action}&resourceId=${resourceId}`, hub.bootstrapKey)).body.items;
    const operatorActor = { actorApiKeyId: operator.apiKeyId, ip: OPERATOR_IP };
    expect(await mine('TenantCreated', tenant.id)).toEqual([
      expect.objectContaining({ resourceType: 'tenant', ...operatorActor, requestId: createRequest, details: expect.objectContaining({ tenantId: tenant.id, name: 'Watched Ltd' }) }),
    ]);
    expect(await mine('APIKeyGenerated', adminKey.id)).toEqual([
      expect.objectContaining({ resourceType: 'api_key', ...operatorActor, requestId: createRequest, details: expect.objectContaining({ tenantId: tenant.id }) }),
    ]);
    expect(await mine('TenantUpdated', tenant.id)).toEqual([
      expect.objectContaining({ resourceType: 'tenant', ...operatorActor, requestId: updateRequest, details: expect.objectContaining({ tenantId: tenant.id }) }),
    ]);
  });

  it("a tenant's own actions still name its own key, address and request", async () => {
    const { adminKey } = (await asOperator<{ adminKey: { id: string; key: string } }>('POST', '/api/tenants', `op-${randomUUID()}`, { name: 'Self Served' })).body;
    const generated = await call<{ id: string; createdBy: string | null }>('POST', '/api/apikeys', adminKey.key, { keyName: 'Own', scopes: ['integration:read'] }, { 'x-request-id': 'tenant-own-request' });
    expect(generated.status).toBe(201);
    expect(generated.body.createdBy).toBe(adminKey.id);

    const trail = await call<Page<AuditEntry>>('GET', `/api/audit?resourceId=${generated.body.id}`, adminKey.key);
    expect(trail.body.items).toEqual([
      expect.objectContaining({ action: 'APIKeyGenerated', actorApiKeyId: adminKey.id, ip: '127.0.0.1', requestId: 'tenant-own-request', details: expect.objectContaining({ createdBy: adminKey.id }) }),
    ]);
    // Not mirrored into the operator's trail: only actions across tenants are.
    const operatorTrail = await call<Page<AuditEntry>>('GET', `/api/audit?resourceId=${generated.body.id}`, hub.bootstrapKey);
    expect(operatorTrail.body.total).toBe(0);
  });

  it("shows the entries about other tenants (the tenant directory) only to platform:admin, and a key of the operator's tenant without it its own tenant's", async () => {
    const operator = (await call<{ tenantId: string }>('GET', '/api/me', hub.bootstrapKey)).body;
    const manager = await call<{ id: string; key: string }>('POST', '/api/apikeys', hub.bootstrapKey, { keyName: 'Key manager', scopes: ['integration:manage'] });
    expect(manager.status).toBe(201);
    const created = await asOperator<{ tenant: { id: string }; adminKey: { id: string } }>('POST', '/api/tenants', `op-${randomUUID()}`, { name: 'Unlisted Ltd', maxWebhooks: 3 });
    expect(created.status).toBe(201);
    const { tenant, adminKey } = created.body;
    expect((await asOperator('PATCH', `/api/tenants/${tenant.id}`, `op-${randomUUID()}`, { name: 'Unlisted Group' })).status).toBe(200);
    // An entry about the operator's own tenant, of the same action as the hidden ones: its own keys may read it.
    const ownRequest = `op-own-${randomUUID()}`;
    expect((await asOperator('PATCH', `/api/tenants/${operator.tenantId}`, ownRequest, { maxWebhooks: 66 })).status).toBe(200);
    expect((await asOperator('PATCH', `/api/tenants/${operator.tenantId}`, `op-${randomUUID()}`, { maxWebhooks: null })).status).toBe(200);

    const trailOf = (key: string, query: string) => call<Page<AuditEntry>>('GET', `/api/audit?pageSize=100&${query}`, key);
    expect((await call('GET', '/api/tenants', manager.body.key)).status).toBe(403);

    // The manager: no entry about another tenant, whichever way it asks, and totals that count none (the whole
    // trail of the run's default tenant may run past a page, so its total is not compared).
    for (const query of ['action=TenantCreated', 'action=TenantUpdated', `resourceId=${tenant.id}`, `resourceId=${adminKey.id}`, 'resourceType=tenant', '']) {
      const seen = await trailOf(manager.body.key, query);
      expect(seen.status).toBe(200);
      expect(seen.body.items.filter((e) => e.details.tenantId !== operator.tenantId)).toEqual([]);
      if (query) expect(seen.body.total).toBe(seen.body.items.length);
      for (const foreign of [tenant.id, adminKey.id, 'Unlisted']) expect(JSON.stringify(seen.body)).not.toContain(foreign);
    }
    // Its own tenant's entries it still reads: the key it was made as, and the operator's change to this tenant.
    expect((await trailOf(manager.body.key, `resourceId=${manager.body.id}`)).body.items).toEqual([expect.objectContaining({ action: 'APIKeyGenerated' })]);
    expect((await trailOf(manager.body.key, 'action=TenantUpdated')).body.items.filter((e) => e.requestId === ownRequest)).toEqual([
      expect.objectContaining({ resourceId: operator.tenantId, details: expect.objectContaining({ tenantId: operator.tenantId, changes: { maxWebhooks: 66 } }) }),
    ]);

    // The operator (platform:admin) still reads who did what to which tenant.
    const operatorView = await trailOf(hub.bootstrapKey, `resourceId=${tenant.id}`);
    expect(operatorView.body.items.map((e) => e.action).sort()).toEqual(['TenantCreated', 'TenantUpdated']);
    expect((await trailOf(hub.bootstrapKey, `resourceId=${adminKey.id}`)).body.items).toEqual([
      expect.objectContaining({ action: 'APIKeyGenerated', details: expect.objectContaining({ tenantId: tenant.id }) }),
    ]);
  });

  it('the operator changing its own tenant is audited once, with its key', async () => {
    const operator = (await call<{ apiKeyId: string; tenantId: string }>('GET', '/api/me', hub.bootstrapKey)).body;
    const requestId = `op-self-${randomUUID()}`;
    expect((await asOperator('PATCH', `/api/tenants/${operator.tenantId}`, requestId, { maxWebhooks: 77 })).status).toBe(200);
    const trail = await call<Page<AuditEntry>>('GET', `/api/audit?action=TenantUpdated&resourceId=${operator.tenantId}`, hub.bootstrapKey);
    expect(trail.body.items.filter((e) => e.requestId === requestId)).toEqual([
      expect.objectContaining({ actorApiKeyId: operator.apiKeyId, ip: OPERATOR_IP, details: expect.objectContaining({ modifiedBy: operator.apiKeyId }) }),
    ]);
    expect((await asOperator('PATCH', `/api/tenants/${operator.tenantId}`, `op-self-${randomUUID()}`, { maxWebhooks: null })).status).toBe(200);
  });
});
