import { EntityManager } from '@mikro-orm/postgresql';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { IntegrationHubClient } from '../../sdk/dist';
import { metricsRegistry } from '../../src/common/metrics/metrics';
import { INTEGRATION_HEALTH_QUEUE, IntegrationHealthProcessor } from '../../src/modules/integrations/workers/integration-health.processor';
import { FAKE_CREDENTIALS, FakeProviders, startFakeProviders } from '../support/fake-providers';
import { errorOf, eventually, startTestApp, TestApp } from '../support/test-app';

/** Integrations (issue #3) through the generated SDK, against fake providers on 127.0.0.1. */
describe('Integrations through the SDK', () => {
  let fakes: FakeProviders;
  let hub: TestApp;
  let admin: IntegrationHubClient;
  let reader: IntegrationHubClient;
  let tenantId: string;

  beforeAll(async () => {
    fakes = await startFakeProviders();
    hub = await startTestApp({
      ...fakes.env,
      INTEGRATIONS_CALL_TIMEOUT_MS: '400',
      INTEGRATIONS_CALL_RETRIES: '1',
      INTEGRATIONS_RETRY_BASE_DELAY_MS: '10',
      INTEGRATIONS_BREAKER_FAILURES: '50',
    });
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Integrations' } });
    tenantId = tenant.tenant.id;
    admin = hub.client(tenant.adminKey.key);
    const readKey = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'reader', scopes: ['integration:read'] } });
    reader = hub.client(readKey.key);
  });

  afterAll(async () => {
    await hub.close();
    await fakes.close();
  });

  function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return hub.app.get(EntityManager).fork().getConnection().execute(query, params);
  }

  function outboxOf(id: string): Promise<string[]> {
    return sql<{ event_type: string }>('SELECT event_type FROM outbox_message WHERE aggregate_id = ? ORDER BY seq', [id]).then((rows) => rows.map((r) => r.event_type));
  }

  /** Runs one health check of the integration in this process's worker, as the sweep's job would. */
  async function healthCheck(id: string): Promise<void> {
    await hub.app.get(IntegrationHealthProcessor).check({ integrationId: id, tenantId }, 'test');
  }

  const stripe = (name = 'Stripe Payment Gateway') =>
    admin.integrations.createIntegration({
      requestBody: { name, integrationType: 'PaymentGateway', provider: 'stripe', configuration: { apiKey: FAKE_CREDENTIALS.stripeKey, webhookSecret: 'whsec_abc123', currency: 'USD' } },
    });

  it('creates in Draft with the configuration sealed at rest and masked on read; a test activates it (BR-IM-02, -06)', async () => {
    const created = await stripe();
    expect(created).toMatchObject({ status: 'Draft', provider: 'Stripe', healthStatus: 'Unknown', isEnabled: true, authorized: false });
    expect(created.configuration).toEqual({ apiKey: '********', webhookSecret: '********', currency: 'USD' });

    const [row] = await sql<{ configuration: string }>('SELECT configuration FROM integration WHERE id = ?', [created.id]);
    expect(row.configuration).toMatch(/^v2:t1:/);
    expect(row.configuration).not.toContain(FAKE_CREDENTIALS.stripeKey);

    const tested = await admin.integrations.testIntegration({ id: created.id });
    expect(tested).toMatchObject({ success: true, details: { paymentIntentId: 'pi_fake_1' }, integration: { status: 'Active', healthStatus: 'Healthy' } });
    expect(fakes.requests).toEqual(expect.arrayContaining(['GET /stripe/v1/balance', 'POST /stripe/v1/payment_intents']));
    expect(await outboxOf(created.id)).toEqual(['IntegrationCreated', 'PaymentGatewayConnected']);

    const fetched = await reader.integrations.getIntegration({ id: created.id });
    expect(JSON.stringify(fetched)).not.toContain(FAKE_CREDENTIALS.stripeKey);
    const logs = await reader.integrations.listIntegrationLogs({ id: created.id });
    expect(logs.items.map((l) => l.message)).toEqual([expect.stringContaining('Validation'), expect.stringContaining('Integration created')]);
    expect(JSON.stringify(logs)).not.toContain(FAKE_CREDENTIALS.stripeKey);
    const audit = await admin.audit.listAuditEntries({ resourceId: created.id, pageSize: 100 });
    expect(audit.items.map((e) => e.action).sort()).toEqual(['IntegrationCreated', 'PaymentGatewayConnected']);

    // BR-IM-01: a second payment gateway validates but cannot become Active beside the first.
    const second = await admin.integrations.createIntegration({
      requestBody: { name: 'PayPal', integrationType: 'PaymentGateway', provider: 'PayPal', configuration: { clientId: FAKE_CREDENTIALS.paypalClientId, clientSecret: FAKE_CREDENTIALS.paypalSecret } },
    });
    const conflict = await errorOf(admin.integrations.testIntegration({ id: second.id }));
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('integration.one_active_per_type');
    expect(await admin.integrations.getIntegration({ id: second.id })).toMatchObject({ status: 'Draft' });
    expect(await admin.integrations.getIntegration({ id: created.id })).toMatchObject({ status: 'Active', healthStatus: 'Healthy' });

    // Disconnecting the first frees the slot; the disconnection is an event with its reason.
    await admin.integrations.disconnectIntegration({ id: created.id, reason: 'Moving to PayPal' });
    expect(await outboxOf(created.id)).toEqual(['IntegrationCreated', 'PaymentGatewayConnected', 'PaymentGatewayDisconnected']);
    expect((await admin.integrations.testIntegration({ id: second.id })).integration.status).toBe('Active');
    expect((await errorOf(admin.integrations.updateIntegration({ id: created.id, requestBody: { name: 'back' } }))).status).toBe(409);
  });

  it('lets a tenant allow several active integrations of a kind, and refuses to make a kind exclusive while it has several', async () => {
    await admin.integrations.updateIntegrationSettings({ requestBody: { singleProviderTypes: ['EmailService', 'SMSService'] } });
    const another = await stripe('Second Stripe');
    expect((await admin.integrations.testIntegration({ id: another.id })).integration.status).toBe('Active');
    const refused = await errorOf(admin.integrations.updateIntegrationSettings({ requestBody: { singleProviderTypes: ['PaymentGateway'] } }));
    expect(refused.status).toBe(409);
    await admin.integrations.disconnectIntegration({ id: another.id });
    await admin.integrations.updateIntegrationSettings({ requestBody: { singleProviderTypes: ['PaymentGateway', 'EmailService', 'SMSService'] } });
    expect((await reader.integrations.getIntegrationSettings()).singleProviderTypes).toEqual(['EmailService', 'PaymentGateway', 'SMSService']);
  });

  it('validates, tests and health-checks every adapter against its fake', async () => {
    const cases = [
      { integrationType: 'EmailService', provider: 'SendGrid', configuration: { apiKey: FAKE_CREDENTIALS.sendgridKey, fromEmail: 'events@example.com' }, event: 'EmailServiceConnected' },
      {
        integrationType: 'SMSService',
        provider: 'Twilio',
        configuration: { accountSid: FAKE_CREDENTIALS.twilioSid, authToken: FAKE_CREDENTIALS.twilioToken, fromNumber: '+15005550006', testToNumber: '+15005550010' },
        event: 'SMSServiceConnected',
      },
      { integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken }, event: 'IntegrationConnected' },
      {
        integrationType: 'CustomAPI',
        provider: 'Custom',
        configuration: { baseUrl: `${fakes.baseUrl}/custom`, healthPath: '/status', auth: { type: 'header', headerName: 'X-Api-Token', headerValue: FAKE_CREDENTIALS.customToken } },
        event: 'IntegrationConnected',
      },
      {
        integrationType: 'Analytics',
        provider: 'Custom',
        configuration: { baseUrl: `${fakes.baseUrl}/custom/`, healthPath: '/status', auth: { type: 'bearer', token: FAKE_CREDENTIALS.customToken } },
        event: 'IntegrationConnected',
      },
    ] as const;
    for (const { event, ...body } of cases) {
      const created = await admin.integrations.createIntegration({ requestBody: { name: `${body.provider} ${body.integrationType}`, ...body } });
      const tested = await admin.integrations.testIntegration({ id: created.id });
      expect({ provider: body.provider, success: tested.success, message: tested.message }).toEqual({ provider: body.provider, success: true, message: expect.any(String) });
      expect(await outboxOf(created.id)).toContain(event);
      await healthCheck(created.id);
      const health = await reader.integrations.getIntegrationHealth({ id: created.id });
      expect(health).toMatchObject({ status: 'Active', healthStatus: 'Healthy', consecutiveFailures: 0, healthChecks: 1, successRate: 1 });
    }
    expect(fakes.requests).toEqual(expect.arrayContaining(['POST /sendgrid/v3/mail/send', `POST /twilio/2010-04-01/Accounts/${FAKE_CREDENTIALS.twilioSid}/Messages.json`, 'GET /hubspot/crm/v3/objects/contacts']));
  });

  it('refuses bad input with a 400 naming the field, storing nothing', async () => {
    const before = (await reader.integrations.listIntegrations({})).total;
    const attempts: Array<[Record<string, unknown>, string]> = [
      [{ name: 'x', integrationType: 'PaymentGateway', provider: 'Square', configuration: {} }, 'provider'],
      [{ name: 'x', integrationType: 'Telepathy', provider: 'Stripe', configuration: {} }, 'integrationType'],
      [{ name: 'x', integrationType: 'PaymentGateway', provider: 'Stripe', configuration: '{"apiKey": ' }, 'configuration'],
      [{ name: 'x', integrationType: 'PaymentGateway', provider: 'Stripe', configuration: { apiKey: FAKE_CREDENTIALS.stripeKey, padding: 'x'.repeat(11 * 1024) } }, 'configuration'],
      [{ name: 'x', integrationType: 'PaymentGateway', provider: 'Stripe', configuration: { currency: 'USD' } }, 'configuration.apiKey'],
      [{ name: 'x', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: 'ftp://127.0.0.1/files' } }, 'configuration.baseUrl'],
      [{ name: 'x', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${fakes.baseUrl}/custom`, auth: { type: 'basic', username: 'u' } } }, 'configuration.auth.password'],
      // What no HTTP header can carry, which made every later call fail as if the provider were down.
      [{ name: 'x', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${fakes.baseUrl}/custom`, auth: { type: 'header', headerName: 'X-A', headerValue: 'a\r\nb: c' } } }, 'configuration.auth.headerValue'],
      [{ name: 'x', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${fakes.baseUrl}/custom`, auth: { type: 'header', headerName: 'Transfer-Encoding', headerValue: 'chunked' } } }, 'configuration.auth.headerName'],
      [{ name: 'x', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${fakes.baseUrl}/custom`, auth: { type: 'bearer', token: 'tok\u{1F600}' } } }, 'configuration.auth.token'],
      // Keys PostgreSQL cannot store, and __proto__ in the string form, which left a configuration of nothing.
      [{ name: 'x', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${fakes.baseUrl}/custom`, 'a\u0000': 1 } }, 'configuration'],
      [{ name: 'x', integrationType: 'CustomAPI', provider: 'Custom', configuration: '{"__proto__":{"baseUrl":"http://127.0.0.1:1"}}' }, 'configuration.__proto__'],
      [{ name: '', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: 't' } }, 'name'],
    ];
    for (const [body, field] of attempts) {
      const response = await hub.request('/api/integrations', { method: 'POST', key: (admin.request as unknown as { config: { HEADERS: Record<string, string> } }).config.HEADERS['X-API-Key'], headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect({ field, status: response.status, type: response.headers.get('content-type') }).toEqual({ field, status: 400, type: expect.stringContaining('application/problem+json') });
      const problem = (await response.json()) as { errors: Array<{ field: string }> };
      expect(problem.errors.map((e) => e.field)).toContain(field);
    }
    expect((await reader.integrations.listIntegrations({})).total).toBe(before);

    // An operation without a body refuses one with fields, as a DELETE does; an empty object has nothing to refuse.
    const probed = await admin.integrations.createIntegration({ requestBody: { name: 'Probed', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } } });
    const key = (admin.request as unknown as { config: { HEADERS: Record<string, string> } }).config.HEADERS['X-API-Key'];
    const test = (body: unknown) => hub.request(`/api/integrations/${probed.id}/test`, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const withFields = await test({ dryRun: true });
    expect(withFields.status).toBe(400);
    expect(((await withFields.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['dryRun']);
    expect((await test({})).status).toBe(200);

    // An update that changes nothing is refused, naming what it could have set.
    const created = await admin.integrations.createIntegration({ requestBody: { name: 'Unchanged', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } } });
    const emptyUpdate = await errorOf(admin.integrations.updateIntegration({ id: created.id, requestBody: {} }));
    expect(emptyUpdate.status).toBe(400);
    expect(emptyUpdate.body.errors.map((e: { field: string }) => e.field)).toEqual(['name', 'isEnabled', 'configuration']);
    expect((await reader.integrations.getIntegration({ id: created.id })).modifiedAt).toBe(created.modifiedAt);
  });

  it('needs integration:admin to change and integration:read to read; other tenants see 404', async () => {
    const created = await admin.integrations.createIntegration({ requestBody: { name: 'CRM', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } } });
    expect((await errorOf(reader.integrations.testIntegration({ id: created.id }))).status).toBe(403);
    expect((await errorOf(reader.integrations.createIntegration({ requestBody: { name: 'n', integrationType: 'CRM', provider: 'HubSpot', configuration: {} } }))).status).toBe(403);
    const other = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Other' } });
    const stranger = hub.client(other.adminKey.key);
    const calls = [
      () => stranger.integrations.getIntegration({ id: created.id }),
      () => stranger.integrations.listIntegrationLogs({ id: created.id }),
      () => stranger.integrations.testIntegration({ id: created.id }),
      () => stranger.integrations.disconnectIntegration({ id: created.id }),
    ];
    for (const call of calls) expect((await errorOf(call())).status).toBe(404);
  });

  it('filters and pages the list', async () => {
    const crm = await reader.integrations.listIntegrations({ type: 'CRM', pageSize: 1 });
    expect(crm.pageSize).toBe(1);
    expect(crm.items).toHaveLength(1);
    expect(crm.total).toBeGreaterThanOrEqual(2);
    const activeHubSpot = (await reader.integrations.listIntegrations({ provider: 'hubspot', status: 'Active' })).items;
    expect(activeHubSpot.length).toBeGreaterThan(0);
    expect(activeHubSpot.every((i) => i.provider === 'HubSpot' && i.status === 'Active')).toBe(true);
    expect(JSON.stringify(await reader.integrations.listIntegrations({}))).not.toContain('configuration');
  });

  it('shows each integration in the list as GET /{id} shows it, but for the configuration', async () => {
    const { items } = await reader.integrations.listIntegrations({ pageSize: 100 });
    // A tested integration has every timestamp the list shows but the last sync.
    const tested = items.find((i) => i.lastHealthCheck !== null && i.modifiedAt !== null)!;
    for (const item of [items[0], items[items.length - 1], tested]) {
      const { configuration: _configuration, authorized: _authorized, accessTokenExpiresAt: _expires, ...summary } = await reader.integrations.getIntegration({ id: item.id });
      expect(item).toEqual(summary);
    }
    expect(tested.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('pages a filtered list newest first, counts the whole filtered set on every page and past the last one', async () => {
    for (const name of ['Draft CRM 1', 'Draft CRM 2']) {
      await admin.integrations.createIntegration({ requestBody: { name, integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } } });
    }
    const all = await reader.integrations.listIntegrations({ pageSize: 100 });
    expect(all.items.length).toBe(all.total);
    const drafts = all.items.filter((i) => i.integrationType === 'CRM' && i.status === 'Draft');
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    const createdAt = all.items.map((i) => i.createdAt);
    expect(createdAt).toEqual([...createdAt].sort().reverse());

    const first = await reader.integrations.listIntegrations({ type: 'CRM', status: 'Draft', pageSize: 1 });
    const second = await reader.integrations.listIntegrations({ type: 'CRM', status: 'Draft', pageSize: 1, page: 2 });
    expect([first.total, second.total]).toEqual([drafts.length, drafts.length]);
    expect([first.items[0], second.items[0]]).toEqual(drafts.slice(0, 2));

    const beyond = await reader.integrations.listIntegrations({ type: 'CRM', status: 'Draft', pageSize: 1, page: drafts.length + 1 });
    expect(beyond).toEqual({ items: [], total: drafts.length, page: drafts.length + 1, pageSize: 1 });
  });

  it('keeps masked secrets on update and sends a changed configuration back to Draft', async () => {
    const created = await stripe('Updatable');
    await admin.integrations.disconnectIntegration({ id: (await reader.integrations.listIntegrations({ type: 'PaymentGateway', status: 'Active' })).items[0].id });
    await admin.integrations.testIntegration({ id: created.id });
    const read = await admin.integrations.getIntegration({ id: created.id });
    const updated = await admin.integrations.updateIntegration({ id: created.id, requestBody: { configuration: { ...read.configuration, currency: 'EUR' } } });
    expect(updated).toMatchObject({ status: 'Draft', configuration: { apiKey: '********', currency: 'EUR' } });
    // The masked key was kept, so the test passes with the stored secret.
    expect((await admin.integrations.testIntegration({ id: created.id })).success).toBe(true);
    const audit = await admin.audit.listAuditEntries({ resourceId: created.id, action: 'IntegrationUpdated' });
    expect(audit.items[0].details).toMatchObject({ changedFields: ['configuration.currency'] });
    expect(JSON.stringify(audit)).not.toContain(FAKE_CREDENTIALS.stripeKey);
  });

  it('keeps no masked secret through an update that points the integration elsewhere', async () => {
    const created = await admin.integrations.createIntegration({
      requestBody: { name: 'Moving API', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${fakes.baseUrl}/custom`, healthPath: '/status', auth: { type: 'bearer', token: FAKE_CREDENTIALS.customToken } } },
    });
    const read = await admin.integrations.getIntegration({ id: created.id });
    const configuration = read.configuration as { auth: Record<string, unknown> };
    expect(configuration.auth.token).toBe('********');
    // Elsewhere is another path of the local fake provider; what matters is that baseUrl changed with the token masked.
    const moved = await errorOf(admin.integrations.updateIntegration({ id: created.id, requestBody: { configuration: { ...read.configuration, baseUrl: `${fakes.baseUrl}/elsewhere` } } }));
    expect(moved.status).toBe(400);
    expect(moved.body.errors).toEqual([{ field: 'configuration.auth.token', messages: [expect.stringContaining('configuration.baseUrl changed')] }]);
    expect((await admin.integrations.getIntegration({ id: created.id })).configuration).toEqual(read.configuration);
    // Sent again with the new address, the token is taken.
    const resent = { ...read.configuration, baseUrl: `${fakes.baseUrl}/custom/`, auth: { ...configuration.auth, token: FAKE_CREDENTIALS.customToken } };
    expect((await admin.integrations.updateIntegration({ id: created.id, requestBody: { configuration: resent } })).configuration).toMatchObject({ baseUrl: `${fakes.baseUrl}/custom/` });
  });

  it('suspends on refused credentials and alerts (§11.1); a failing SendGrid key without mail.send stays Draft', async () => {
    const revoked = await admin.integrations.createIntegration({ requestBody: { name: 'Revoked CRM', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: 'pat-revoked' } } });
    const tested = await admin.integrations.testIntegration({ id: revoked.id });
    expect(tested).toMatchObject({ success: false, failure: 'authentication', integration: { status: 'Suspended' } });
    expect(await outboxOf(revoked.id)).toContain('IntegrationSuspended');

    const readOnly = await admin.integrations.createIntegration({
      requestBody: { name: 'Read-only SendGrid', integrationType: 'EmailService', provider: 'SendGrid', configuration: { apiKey: FAKE_CREDENTIALS.sendgridKeyWithoutSend, fromEmail: 'a@example.com' } },
    });
    const refused = await admin.integrations.testIntegration({ id: readOnly.id });
    expect(refused).toMatchObject({ success: false, failure: 'configuration', integration: { status: 'Draft' } });
    expect(refused.integration.statusReason).toContain('mail.send');
  });

  it('raises IntegrationHealthDegraded after 3 consecutive failed checks, once, and records the recovery (BR-IM-04)', async () => {
    const created = await admin.integrations.createIntegration({
      requestBody: { name: 'Flaky API', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${fakes.baseUrl}/custom`, healthPath: '/status', auth: { type: 'bearer', token: FAKE_CREDENTIALS.customToken } } },
    });
    await admin.integrations.testIntegration({ id: created.id });
    fakes.setMode('custom', 'server-error');
    const states: string[] = [];
    for (let i = 0; i < 4; i++) {
      await healthCheck(created.id);
      states.push((await reader.integrations.getIntegrationHealth({ id: created.id })).healthStatus);
    }
    expect(states).toEqual(['Degraded', 'Degraded', 'Unhealthy', 'Unhealthy']);
    expect((await outboxOf(created.id)).filter((e) => e === 'IntegrationHealthDegraded')).toHaveLength(1);
    const errors = await reader.integrations.listIntegrationLogs({ id: created.id, logLevel: 'Error' });
    expect(errors.items[0].message).toContain('Unhealthy');
    expect(errors.items[0].requestId).toBe('health-check:test');
    fakes.setMode('custom', 'ok');
    await healthCheck(created.id);
    expect(await reader.integrations.getIntegrationHealth({ id: created.id })).toMatchObject({ healthStatus: 'Healthy', consecutiveFailures: 0, healthChecks: 5, failedHealthChecks: 4 });
    expect(await outboxOf(created.id)).toContain('IntegrationHealthRecovered');
    const metrics = await metricsRegistry.metrics();
    expect(metrics).toContain(`integration_health_status{integration_id="${created.id}",provider="Custom"} 0`);
    expect(metrics).toMatch(/integration_health_alerts_total\{provider="Custom"\} [1-9]/);
    expect(metrics).toMatch(/integration_provider_calls_total\{provider="Custom",operation="health",outcome="unavailable"\} [1-9]/);
  });

  it('a provider that hangs or answers garbage fails within its timeout, transiently', async () => {
    const created = await admin.integrations.createIntegration({
      requestBody: { name: 'Hanging CRM', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } },
    });
    fakes.setMode('hubspot', 'hang');
    const hung = await admin.integrations.testIntegration({ id: created.id });
    expect(hung).toMatchObject({ success: false, failure: 'unavailable', integration: { status: 'Draft' } });
    // The call was given up for want of an answer (an attempt's or the whole call's timeout), not refused.
    expect(hung.message).toMatch(/^HubSpot(: The target)? did not answer in time$/);
    fakes.setMode('hubspot', 'garbage');
    const garbage = await admin.integrations.testIntegration({ id: created.id });
    expect(garbage).toMatchObject({ success: false, failure: 'unavailable' });
    expect(garbage.message).toContain('not a JSON object');
    fakes.setMode('hubspot', 'ok');
  });

  it("takes any 2xx of a custom API's health path as healthy, whatever its body", async () => {
    const created = await admin.integrations.createIntegration({
      requestBody: { name: 'Plain-text API', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: `${fakes.baseUrl}/custom`, healthPath: '/status' } },
    });
    fakes.setMode('custom', 'garbage');
    try {
      expect(await admin.integrations.testIntegration({ id: created.id })).toMatchObject({ success: true, integration: { status: 'Active' } });
    } finally {
      fakes.setMode('custom', 'ok');
    }
  });

  it('an integration in Error must be reviewed before it can be tested again (BR-IM-05)', async () => {
    const created = await admin.integrations.createIntegration({ requestBody: { name: 'Soon broken', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } } });
    await admin.integrations.testIntegration({ id: created.id });
    fakes.setMode('hubspot', 'not-found');
    // One refused request is not yet a broken integration (BR-IM-04); the third in a row is.
    await healthCheck(created.id);
    await healthCheck(created.id);
    expect(await admin.integrations.getIntegration({ id: created.id })).toMatchObject({ status: 'Active', healthStatus: 'Degraded' });
    await healthCheck(created.id);
    fakes.setMode('hubspot', 'ok');
    expect(await admin.integrations.getIntegration({ id: created.id })).toMatchObject({ status: 'Error' });
    expect(await outboxOf(created.id)).toContain('IntegrationFailed');
    const blocked = await errorOf(admin.integrations.testIntegration({ id: created.id }));
    expect(blocked).toMatchObject({ status: 409, body: expect.objectContaining({ code: 'integration.needs_review' }) });
    expect((await errorOf(admin.integrations.updateIntegration({ id: created.id, requestBody: { configuration: { accessToken: 'other' } } }))).status).toBe(409);
    const reviewed = await admin.integrations.reviewIntegration({ id: created.id, requestBody: { note: 'HubSpot account restored' } });
    expect(reviewed.status).toBe('Draft');
    expect((await admin.integrations.testIntegration({ id: created.id })).integration.status).toBe('Active');
    expect((await errorOf(admin.integrations.reviewIntegration({ id: created.id, requestBody: { note: 'again' } }))).status).toBe(409);
  });

  it('sweeps every active, enabled integration once per sweep, through the check queue, and nothing else (BR-IM-03)', async () => {
    const hubspot = (name: string) =>
      admin.integrations.createIntegration({ requestBody: { name, integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } } });
    const active = await hubspot('Swept');
    const disabled = await hubspot('Switched off');
    const draft = await hubspot('Never tested');
    for (const { id } of [active, disabled]) expect((await admin.integrations.testIntegration({ id })).integration.status).toBe('Active');
    await admin.integrations.updateIntegration({ id: disabled.id, requestBody: { isEnabled: false } });
    const checks = async (id: string) => (await reader.integrations.getIntegrationHealth({ id })).healthChecks;
    const before = { active: await checks(active.id), disabled: await checks(disabled.id), draft: await checks(draft.id) };
    const [{ n: due }] = await sql<{ n: string }>("SELECT count(*) AS n FROM integration WHERE status = 'Active' AND is_enabled");

    // What the 5-minute schedule runs: one check job per due integration, taken by this process's worker. A sweep
    // that finds the checks of the one before still waiting (this worker paused) queues none again.
    const queue = hub.app.get<Queue>(getQueueToken(INTEGRATION_HEALTH_QUEUE));
    await queue.pause(true);
    const sweeper = hub.app.get(IntegrationHealthProcessor);
    expect(await sweeper.sweep()).toBe(Number(due));
    expect(await sweeper.sweep()).toBe(Number(due));
    expect((await queue.getJobCounts()).waiting).toBe(Number(due));
    await queue.resume(true);
    await eventually(async () => expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, delayed: 0 }), 15_000);
    expect(await checks(active.id)).toBe(before.active + 1);
    // The switched-off and untested ones were never queued.
    expect(await checks(disabled.id)).toBe(before.disabled);
    expect(await checks(draft.id)).toBe(before.draft);
  });

  // Last, so that creations, tests, suspensions, failures, reviews, updates back to Draft and disconnections have run.
  it("keeps the list's counters equal to the integrations they count, whatever changed them", async () => {
    const drift = await sql<{ tenant_id: string; n: string | null; actual: string | null }>(`
      SELECT coalesce(c.tenant_id, i.tenant_id) AS tenant_id, c.n, i.n AS actual
        FROM integration_count c
        FULL JOIN (SELECT tenant_id, integration_type, status, lower(provider) AS provider_lower, count(*) AS n FROM integration GROUP BY 1, 2, 3, 4) i
          USING (tenant_id, integration_type, status, provider_lower)
       WHERE coalesce(c.n, 0) <> coalesce(i.n, 0)`);
    expect(drift).toEqual([]);
    const statuses = await sql<{ status: string }>('SELECT DISTINCT status FROM integration WHERE tenant_id = ?', [tenantId]);
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    for (const { status } of statuses) {
      const listed = await reader.integrations.listIntegrations({ status: status as 'Active', pageSize: 100 });
      expect(listed.total).toBe(listed.items.length);
    }
  });
});
