import { IntegrationHubClient } from '../../sdk/dist';
import { startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Partial updates (PUT/PATCH) across the modules: a JSON null for a field that cannot be empty is a 400 naming
 * the field that changes nothing, not a 500 from a NOT NULL column or a value silently dropped or emptied.
 * Plain requests, as the SDK's types would not let a test send these nulls.
 */
describe('null in partial updates', () => {
  let hub: TestApp;
  let receiver: WebhookReceiver;
  let adminKey: string;
  let admin: IntegrationHubClient;
  let tenantId: string;

  beforeAll(async () => {
    hub = await startTestApp();
    receiver = await WebhookReceiver.start();
    const created = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Null Senders' } });
    tenantId = created.tenant.id;
    adminKey = created.adminKey.key;
    admin = hub.client(adminKey);
    await admin.events.registerEventType({ requestBody: { name: 'BookingConfirmed' } });
  });

  afterAll(async () => {
    await hub.close();
    await receiver.close();
  });

  function send(method: string, path: string, body: unknown, key = adminKey): Promise<Response> {
    return hub.request(path, { method, key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  async function read(path: string, key = adminKey): Promise<unknown> {
    const answer = await hub.request(path, { key });
    expect(answer.status).toBe(200);
    return answer.json();
  }

  it('answers 400 naming the field and changes nothing, on every update endpoint', async () => {
    const apiKey = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Target', scopes: ['integration:read'] } });
    const integration = await admin.integrations.createIntegration({
      requestBody: { name: 'Custom API', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${receiver.url}/custom` } },
    });
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/hook`, eventTypes: ['BookingConfirmed'], description: 'Bookings' } });

    const endpoints: Array<{ method: string; path: string; key?: string; fields: Array<[body: object, field: string]> }> = [
      { method: 'PUT', path: `/api/apikeys/${apiKey.id}`, fields: [[{ keyName: null }, 'keyName'], [{ scopes: null }, 'scopes'], [{ rateLimitPerHour: null }, 'rateLimitPerHour']] },
      {
        method: 'PUT',
        path: `/api/integrations/${integration.id}`,
        fields: [[{ name: null }, 'name'], [{ isEnabled: null }, 'isEnabled'], [{ configuration: null }, 'configuration']],
      },
      {
        method: 'PUT',
        path: `/api/webhooks/${webhook.id}`,
        fields: [
          [{ url: null }, 'url'],
          [{ eventTypes: null }, 'eventTypes'],
          [{ retryPolicy: null }, 'retryPolicy'],
          [{ retryPolicy: { maxRetries: null } }, 'retryPolicy.maxRetries'],
          [{ retryPolicy: { backoffMultiplier: null } }, 'retryPolicy.backoffMultiplier'],
          [{ timeoutSeconds: null }, 'timeoutSeconds'],
          [{ isActive: null }, 'isActive'],
        ],
      },
      { method: 'PATCH', path: `/api/tenants/${tenantId}`, key: hub.bootstrapKey, fields: [[{ name: null }, 'name']] },
    ];
    for (const { method, path, key, fields } of endpoints) {
      const before = await read(path, key);
      for (const [body, field] of fields) {
        const answer = await send(method, path, body, key);
        expect({ path, field, status: answer.status }).toEqual({ path, field, status: 400 });
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        expect(((await answer.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain(field);
      }
      expect(await read(path, key)).toEqual(before);
    }
  });

  it('still takes null where it means something: it removes a webhook description', async () => {
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/described`, eventTypes: ['BookingConfirmed'], description: 'To be removed' } });
    const answer = await send('PUT', `/api/webhooks/${webhook.id}`, { description: null });
    expect(answer.status).toBe(200);
    expect(await read(`/api/webhooks/${webhook.id}`)).toMatchObject({ description: null, eventTypes: ['BookingConfirmed'] });
  });
});
