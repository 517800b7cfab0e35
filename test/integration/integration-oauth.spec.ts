import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { ApiError, IntegrationHubClient } from '../../sdk/dist';
import { SECRET_VAULT, SecretVault } from '../../src/common/crypto/secret-vault';
import { StoreOAuthTokensCommand } from '../../src/modules/integrations/commands/store-oauth-tokens/store-oauth-tokens.command';
import { Integration } from '../../src/modules/integrations/domain/integration.entity';
import { OAuthTokenService } from '../../src/modules/integrations/infrastructure/oauth-token.service';
import { IntegrationHealthProcessor } from '../../src/modules/integrations/workers/integration-health.processor';
import { FakeProviders, startFakeProviders } from '../support/fake-providers';
import { OAuthMock, startOAuthMock } from '../support/oauth-mock';
import { errorOf, startTestApp, TestApp } from '../support/test-app';

/**
 * Calendar OAuth (UC-IM-03) against oauth2-mock-server on 127.0.0.1: authorization code with PKCE and state,
 * sealed tokens, one refresh at a time across two replicas while the provider rotates refresh tokens, and
 * disconnection after repeated refused refreshes.
 */
describe('calendar OAuth', () => {
  let oauth: OAuthMock;
  let fakes: FakeProviders;
  let a: TestApp;
  let b: TestApp;
  let admin: IntegrationHubClient;
  let tenantId: string;

  beforeAll(async () => {
    [oauth, fakes] = await Promise.all([startOAuthMock(), startFakeProviders()]);
    const env = {
      ...fakes.env,
      INTEGRATIONS_GOOGLE_AUTHORIZE_URL: `${oauth.baseUrl}/authorize`,
      INTEGRATIONS_GOOGLE_TOKEN_URL: `${oauth.baseUrl}/token`,
      INTEGRATIONS_OAUTH_REFRESH_BEFORE_EXPIRY_SECONDS: '60',
    };
    a = await startTestApp(env);
    b = await startTestApp({ ...env, PROCESS_ROLE: 'api' });
    const tenant = await a.client(a.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Calendars' } });
    tenantId = tenant.tenant.id;
    admin = a.client(tenant.adminKey.key);
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await Promise.all([oauth?.close(), fakes?.close()]);
  });

  function outboxOf(id: string): Promise<string[]> {
    return a.app.get(EntityManager).fork().getConnection()
      .execute<Array<{ event_type: string }>>('SELECT event_type FROM outbox_message WHERE aggregate_id = ? ORDER BY seq', [id])
      .then((rows) => rows.map((r) => r.event_type));
  }

  async function storedTokens(id: string) {
    const integration = await a.app.get(EntityManager).fork().findOneOrFail(Integration, id);
    return { sealed: integration.sealedOAuthTokens, tokens: integration.oauthTokens(a.app.get<SecretVault>(SECRET_VAULT)) };
  }

  /** Plays the user's browser: the authorization URL redirects to our callback with a code. */
  async function authorize(id: string): Promise<Response> {
    const started = await admin.integrations.authorizeIntegration({ id, requestBody: { redirectUri: `${a.baseUrl}/api/integrations/oauth/callback` } });
    const url = new URL(started.authorizationUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBe(started.state);
    expect(url.searchParams.get('access_type')).toBe('offline');
    const consent = await fetch(url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location')!);
    expect(callback.origin).toBe(a.baseUrl);
    // Parameters Google adds to its redirect, which the callback must not refuse as unknown fields.
    for (const [name, value] of [['authuser', '0'], ['prompt', 'consent'], ['hd', 'example.com']]) callback.searchParams.set(name, value);
    return fetch(callback);
  }

  let calendarId: string;

  it('authorizes with PKCE and state, stores the tokens sealed, reads the calendar and enables sync', async () => {
    const created = await admin.integrations.createIntegration({
      requestBody: { name: 'Team calendar', integrationType: 'CalendarSync', provider: 'GoogleCalendar', configuration: { clientId: 'hub-client', clientSecret: 'hub-client-secret' } },
    });
    calendarId = created.id;
    const untested = await admin.integrations.testIntegration({ id: created.id }).catch((e: ApiError) => e);
    expect(untested).toMatchObject({ status: 409, body: expect.objectContaining({ code: 'integration.authorization_required' }) });

    const response = await authorize(created.id);
    expect(response.status).toBe(200);
    const result = (await response.json()) as { success: boolean; integration: { status: string } };
    expect(result).toMatchObject({ success: true, integration: { status: 'Active' } });
    expect(await outboxOf(created.id)).toEqual(['IntegrationCreated', 'CalendarSyncEnabled']);
    expect((await oauth.stats()).codeGrants).toBe(1);

    const { sealed, tokens } = await storedTokens(created.id);
    expect(sealed).toMatch(/^v2:t1:/);
    expect(sealed).not.toContain(tokens!.accessToken);
    expect(tokens!.refreshToken).toBeTruthy();
    expect(await admin.integrations.getIntegration({ id: created.id })).toMatchObject({ authorized: true, configuration: { clientId: 'hub-client', clientSecret: '********' } });

    // A state works once.
    const replay = await fetch(`${a.baseUrl}/api/integrations/oauth/callback?state=${new URL(response.url).searchParams.get('state')}&code=whatever`);
    expect(replay.status).toBe(400);
  });

  it('refreshes once across two replicas racing for it, and saves the rotated refresh token', async () => {
    // The stored token is about to expire (inside the 60 s refresh margin).
    const before = await storedTokens(calendarId);
    await a.app.get(CommandBus).execute(new StoreOAuthTokensCommand(tenantId, calendarId, { ...before.tokens!, expiresAt: new Date(Date.now() + 10_000).toISOString() }, 'refresh'));
    const grantsBefore = (await oauth.stats()).refreshGrants;
    const snapshot = { id: calendarId, tenantId, provider: 'GoogleCalendar', configuration: { clientId: 'hub-client', clientSecret: 'hub-client-secret' } };
    const replicas = [a, b, a, b, a, b, a, b];
    const tokens = await Promise.all(replicas.map((replica) => replica.app.get(OAuthTokenService).accessTokenFor(snapshot)));

    const stats = await oauth.stats();
    expect(stats.refreshGrants - grantsBefore).toBe(1);
    expect(stats.refusedRefreshes).toBe(0);
    expect(new Set(tokens).size).toBe(1);
    const after = await storedTokens(calendarId);
    expect(after.tokens!.accessToken).toBe(tokens[0]);
    expect(after.tokens!.refreshToken).not.toBe(before.tokens!.refreshToken);
    expect(stats.liveRefreshTokens).toEqual([after.tokens!.refreshToken]);
    const logs = await admin.integrations.listIntegrationLogs({ id: calendarId });
    expect(logs.items.find((l) => l.details?.refreshTokenRotated !== undefined)).toMatchObject({ message: 'Access token refreshed', details: expect.objectContaining({ refreshTokenRotated: true }) });
    expect(JSON.stringify(logs)).not.toContain(tokens[0]);
  });

  it('disconnects after repeated refused refreshes (CalendarSyncDisabled); authorizing again reconnects', async () => {
    await oauth.configure({ refuseRefresh: true });
    const { tokens } = await storedTokens(calendarId);
    await a.app.get(CommandBus).execute(new StoreOAuthTokensCommand(tenantId, calendarId, { ...tokens!, expiresAt: new Date(Date.now() - 1000).toISOString() }, 'refresh'));
    const health = a.app.get(IntegrationHealthProcessor);
    for (let i = 0; i < 3; i++) await health.check({ integrationId: calendarId, tenantId }, `oauth-${i}`);
    const disconnected = await admin.integrations.getIntegration({ id: calendarId });
    expect(disconnected).toMatchObject({ status: 'Disconnected', authorized: false });
    expect(disconnected.statusReason).toContain('could not be refreshed 3 times');
    expect(await outboxOf(calendarId)).toContain('CalendarSyncDisabled');

    await oauth.configure({ refuseRefresh: false });
    const response = await authorize(calendarId);
    expect(((await response.json()) as { integration: { status: string } }).integration.status).toBe('Active');
  });

  it('a refused consent is a 422 and leaves the integration waiting', async () => {
    const created = await admin.integrations.createIntegration({
      requestBody: { name: 'Refused', integrationType: 'CalendarSync', provider: 'GoogleCalendar', configuration: { clientId: 'hub-client', clientSecret: 's' } },
    });
    const started = await admin.integrations.authorizeIntegration({ id: created.id, requestBody: { redirectUri: `${a.baseUrl}/api/integrations/oauth/callback` } });
    // As Microsoft's identity platform sends it when the user cancels.
    const refused = await fetch(`${a.baseUrl}/api/integrations/oauth/callback?state=${started.state}&error=access_denied&error_subcode=cancel&session_state=7f3a`);
    expect(refused.status).toBe(422);
    expect(await admin.integrations.getIntegration({ id: created.id })).toMatchObject({ status: 'PendingValidation' });
  });

  it('sends the authorization code only over HTTPS, or plain HTTP to localhost (§7.1)', async () => {
    const created = await admin.integrations.createIntegration({
      requestBody: { name: 'Redirects', integrationType: 'CalendarSync', provider: 'GoogleCalendar', configuration: { clientId: 'hub-client', clientSecret: 's' } },
    });
    for (const redirectUri of ['http://hub.example.com/api/integrations/oauth/callback', 'ftp://hub.example.com/cb', 'not a url']) {
      const refused = await errorOf(admin.integrations.authorizeIntegration({ id: created.id, requestBody: { redirectUri } }));
      expect({ redirectUri, status: refused.status, fields: refused.body.errors.map((e: { field: string }) => e.field) }).toEqual({ redirectUri, status: 400, fields: ['redirectUri'] });
    }
    for (const redirectUri of ['https://hub.example.com/api/integrations/oauth/callback', 'http://localhost:3000/api/integrations/oauth/callback', 'http://127.0.0.1:3000/cb']) {
      expect((await admin.integrations.authorizeIntegration({ id: created.id, requestBody: { redirectUri } })).authorizationUrl).toContain(encodeURIComponent(redirectUri));
    }
  });

  it('Outlook reads Microsoft Graph with its stored token', async () => {
    const created = await admin.integrations.createIntegration({
      requestBody: { name: 'Outlook', integrationType: 'CalendarSync', provider: 'MicrosoftOutlook', configuration: { clientId: 'graph-client', clientSecret: 'graph-secret' } },
    });
    const jwtLike = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.c2ln';
    await a.app.get(CommandBus).execute(new StoreOAuthTokensCommand(tenantId, created.id, { accessToken: jwtLike, refreshToken: 'r', expiresAt: new Date(Date.now() + 3600_000).toISOString(), scope: null }, 'authorization'));
    const tested = await admin.integrations.testIntegration({ id: created.id });
    expect(tested).toMatchObject({ success: true, integration: { status: 'Active' } });
    expect(fakes.requests).toEqual(expect.arrayContaining(['GET /graph/me/calendars', 'GET /graph/me/events']));
  });
});
