import { createServer, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import type { IntegrationHubClient } from '../../sdk/dist';
import { StoreOAuthTokensCommand } from '../../src/modules/integrations/commands/store-oauth-tokens/store-oauth-tokens.command';
import { OAuthTokenService } from '../../src/modules/integrations/infrastructure/oauth-token.service';
import { ProviderCallError } from '../../src/modules/integrations/providers/provider-adapter';
import { FAKE_CREDENTIALS, FakeProviders, startFakeProviders } from '../support/fake-providers';
import { errorOf, startTestApp, TestApp } from '../support/test-app';
import { whileCommitting as lockedWhileCommitting } from '../support/lock-waits';

/** A calendar API accepts it: the fake calendars take any three dot-separated parts for a JWT. */
const ISSUED_ACCESS_TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJpc3N1ZWQifQ.c2ln';

/**
 * A token endpoint that holds each token request until the test answers it, so a code exchange or a refresh is
 * known to be under way when the test disconnects the integration.
 */
class HeldTokenEndpoint {
  private readonly server: Server;
  private readonly held: ServerResponse[] = [];
  private arrival?: () => void;

  constructor() {
    this.server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        this.held.push(response);
        this.arrival?.();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }

  /** Resolves once a token request is held. */
  arrived(): Promise<void> {
    return this.held.length ? Promise.resolve() : new Promise((resolve) => (this.arrival = resolve));
  }

  /** Answers the held requests with fresh tokens (a rotated refresh token included). */
  grant(): void {
    for (const response of this.held.splice(0)) {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: ISSUED_ACCESS_TOKEN, refresh_token: `rotated-${randomUUID()}`, expires_in: 3600, token_type: 'Bearer' }));
    }
  }

  close(): Promise<void> {
    this.grant();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A test, an authorization, a review, a disconnection or the storing of OAuth tokens against another change of the
 * same integration that commits while the request is under way. The competing change holds the integration's
 * row until the request waits on it, so the interleaving is the same on every run: the request must act on what
 * the other change committed, and a DELETE answered "Disconnected" must stay so.
 */
describe('changing an integration while another change of it commits', () => {
  let fakes: FakeProviders;
  let tokenEndpoint: HeldTokenEndpoint;
  let api: TestApp;
  let admin: IntegrationHubClient;
  let adminKeyId: string;
  let tenantId: string;

  const db = () => api.app.get(EntityManager).fork().getConnection();

  beforeAll(async () => {
    fakes = await startFakeProviders();
    tokenEndpoint = new HeldTokenEndpoint();
    const tokenUrl = await tokenEndpoint.start();
    api = await startTestApp({
      ...fakes.env,
      PROCESS_ROLE: 'api',
      INTEGRATIONS_GOOGLE_AUTHORIZE_URL: `${fakes.baseUrl}/google-authorize`,
      INTEGRATIONS_GOOGLE_TOKEN_URL: tokenUrl,
      INTEGRATIONS_OAUTH_REFRESH_BEFORE_EXPIRY_SECONDS: '60',
    });
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: `Integration races ${randomUUID()}` } });
    tenantId = tenant.tenant.id;
    adminKeyId = tenant.adminKey.id;
    admin = api.client(tenant.adminKey.key);
  });

  afterAll(async () => {
    await api?.close();
    await Promise.all([fakes?.close(), tokenEndpoint?.close()]);
  });

  const whileCommitting = <T>(change: string, params: unknown[], request: () => Promise<T>): Promise<T> =>
    lockedWhileCommitting(api.app.get(EntityManager), 'integration', change, params, request);

  /** What DELETE /api/integrations/{id} commits; parameters: the disconnecting API key, the integration. */
  const DISCONNECTION = `UPDATE integration SET status = 'Disconnected', status_reason = 'No longer used', disconnected_at = now(), disconnected_by = ?,
    is_enabled = false, exclusive = false, health_status = 'Unknown', sealed_oauth_tokens = NULL, oauth_token_expires_at = NULL, modified_at = now() WHERE id = ?`;

  const row = async (id: string) =>
    (
      await db().execute<Array<{ status: string; health_status: string; exclusive: boolean; is_enabled: boolean; disconnected_at: string | null; sealed_oauth_tokens: string | null }>>(
        'SELECT * FROM integration WHERE id = ?',
        [id],
      )
    )[0];

  const eventsOf = async (id: string) =>
    (await db().execute<Array<{ event_type: string }>>('SELECT event_type FROM outbox_message WHERE aggregate_id = ? ORDER BY seq', [id])).map((r) => r.event_type);

  const stripe = () =>
    admin.integrations.createIntegration({
      requestBody: { name: `Stripe ${randomUUID()}`, integrationType: 'PaymentGateway', provider: 'stripe', configuration: { apiKey: FAKE_CREDENTIALS.stripeKey, webhookSecret: 'whsec_abc123' } },
    });

  /** Of a kind no other spec here activates, so that its exclusive slot is free whatever they left. */
  const sendGrid = () =>
    admin.integrations.createIntegration({
      requestBody: { name: `SendGrid ${randomUUID()}`, integrationType: 'EmailService', provider: 'SendGrid', configuration: { apiKey: FAKE_CREDENTIALS.sendgridKey, fromEmail: 'events@example.com' } },
    });

  const calendar = () =>
    admin.integrations.createIntegration({
      requestBody: { name: `Calendar ${randomUUID()}`, integrationType: 'CalendarSync', provider: 'GoogleCalendar', configuration: { clientId: 'hub-client', clientSecret: 'hub-client-secret' } },
    });

  it('refuses a test that started before a disconnection committed: the integration stays Disconnected, never Active', async () => {
    const { id } = await stripe();
    const test = await whileCommitting(DISCONNECTION, [adminKeyId, id], () => errorOf(admin.integrations.testIntegration({ id })));
    expect(test.status).toBe(409);
    expect(test.body.code).toBe('integration.disconnected');
    expect(await row(id)).toMatchObject({ status: 'Disconnected', is_enabled: false, health_status: 'Unknown', disconnected_at: expect.anything() });
    expect(await eventsOf(id)).toEqual(['IntegrationCreated']);
  });

  it('refuses to start an authorization after a disconnection committed, so no callback can revive the integration', async () => {
    const { id } = await calendar();
    const started = await whileCommitting(DISCONNECTION, [adminKeyId, id], () =>
      errorOf(admin.integrations.authorizeIntegration({ id, requestBody: { redirectUri: `${api.baseUrl}/api/integrations/oauth/callback` } })),
    );
    expect(started.status).toBe(409);
    expect(started.body.code).toBe('integration.disconnected');
    expect(await row(id)).toMatchObject({ status: 'Disconnected', disconnected_at: expect.anything() });
  });

  it('refuses a review that started before a disconnection committed', async () => {
    const { id } = await stripe();
    await db().execute(`UPDATE integration SET status = 'Error', status_reason = 'The provider refused the requests' WHERE id = ?`, [id]);
    const review = await whileCommitting(DISCONNECTION, [adminKeyId, id], () => errorOf(admin.integrations.reviewIntegration({ id, requestBody: { note: 'Checked with Stripe' } })));
    expect(review.status).toBe(409);
    expect(review.body.code).toBe('integration.invalid_transition');
    expect(await row(id)).toMatchObject({ status: 'Disconnected' });
  });

  it('disconnects what an activation committed during the DELETE: no health, no exclusive slot left behind', async () => {
    const { id } = await sendGrid();
    const disconnected = await whileCommitting(`UPDATE integration SET status = 'Active', exclusive = true, health_status = 'Healthy', modified_at = now() WHERE id = ?`, [id], () =>
      admin.integrations.disconnectIntegration({ id, reason: 'Moving to Mailgun' }),
    );
    expect(disconnected).toMatchObject({ status: 'Disconnected', healthStatus: 'Unknown', isEnabled: false });
    expect(await row(id)).toMatchObject({ status: 'Disconnected', health_status: 'Unknown', exclusive: false, is_enabled: false });
  });

  it('drops the tokens a refresh brings back after a disconnection committed, and hands out none of them', async () => {
    const { id } = await calendar();
    const expiring = { accessToken: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJvbGQifQ.c2ln', refreshToken: 'r-old', expiresAt: new Date(Date.now() + 10_000).toISOString(), scope: null };
    await api.app.get(CommandBus).execute(new StoreOAuthTokensCommand(tenantId, id, expiring, 'authorization'));
    const refreshed = whileCommitting(DISCONNECTION, [adminKeyId, id], async () => {
      const token = api.app.get(OAuthTokenService).accessTokenFor({ id, tenantId, provider: 'GoogleCalendar', configuration: { clientId: 'hub-client', clientSecret: 'hub-client-secret' } });
      token.catch(() => undefined); // awaited by whileCommitting, after the commit
      await tokenEndpoint.arrived();
      tokenEndpoint.grant();
      return token;
    });
    await expect(refreshed).rejects.toBeInstanceOf(ProviderCallError);
    expect(await row(id)).toMatchObject({ status: 'Disconnected', sealed_oauth_tokens: null });
    expect(await admin.integrations.getIntegration({ id })).toMatchObject({ status: 'Disconnected', authorized: false });
  });

  it('drops the tokens of a code exchange that a disconnection overtook, and does not probe the provider with them', async () => {
    const { id } = await calendar();
    const started = await admin.integrations.authorizeIntegration({ id, requestBody: { redirectUri: `${api.baseUrl}/api/integrations/oauth/callback` } });
    const calendarCallsBefore = fakes.requests.filter((request) => request.includes('/google/')).length;
    const callback = fetch(`${api.baseUrl}/api/integrations/oauth/callback?state=${started.state}&code=granted-code`);
    callback.catch(() => undefined); // awaited below, after the commit
    // The callback's own transaction has committed PendingValidation; the code exchange is under way.
    await tokenEndpoint.arrived();
    await whileCommitting(DISCONNECTION, [adminKeyId, id], async () => tokenEndpoint.grant());
    const response = await callback;
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe('integration.disconnected');
    expect(await admin.integrations.getIntegration({ id })).toMatchObject({ status: 'Disconnected', authorized: false });
    expect(fakes.requests.filter((request) => request.includes('/google/')).length).toBe(calendarCallsBefore);
    expect(await eventsOf(id)).toEqual(['IntegrationCreated']);
  });
});
