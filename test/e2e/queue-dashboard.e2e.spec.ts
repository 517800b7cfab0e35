import { IntegrationHubClient } from '../../sdk/dist';
import { DOMAIN_EVENTS_QUEUE, MAINTENANCE_QUEUE } from '../../src/common/queues/queues';
import { DATA_SYNC_QUEUE } from '../../src/modules/data-sync/infrastructure/data-sync-queue';
import { INTEGRATION_HEALTH_QUEUE } from '../../src/modules/integrations/workers/integration-health.processor';
import { WEBHOOK_DELIVERIES_QUEUE } from '../../src/modules/webhooks/infrastructure/delivery-queue';
import { eventually, startTestApp, TestApp } from '../support/test-app';

const QUEUE_NAMES = [DATA_SYNC_QUEUE, DOMAIN_EVENTS_QUEUE, INTEGRATION_HEALTH_QUEUE, MAINTENANCE_QUEUE, WEBHOOK_DELIVERIES_QUEUE].sort();
const CHALLENGE = 'Basic realm="Integration Hub queues"';

/** The operators' bull-board at /queues: platform:admin only, by X-API-Key or by the key as a Basic password. */
describe('Queue dashboard', () => {
  let hub: TestApp;
  let operator: IntegrationHubClient;
  let tenantAdminKey: string;

  const basic = (key: string, user = 'operator') => ({ Authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}` });

  beforeAll(async () => {
    hub = await startTestApp();
    operator = hub.client(hub.bootstrapKey);
    tenantAdminKey = (await operator.tenants.createTenant({ requestBody: { name: 'Queue dashboard tenant' } })).adminKey.key;
  });

  afterAll(() => hub.close());

  async function expectProblem(answer: Response, status: number, code: string): Promise<Record<string, unknown>> {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status, code });
    return body;
  }

  it('answers 401 with a Basic challenge to a request without a key, for the page, its assets, its API and unknown paths', async () => {
    for (const path of ['/queues', '/queues/', '/queues/queue/maintenance', '/queues/api/queues', '/queues/static/images/logo.svg', '/queues/no-such-page']) {
      const answer = await hub.request(path);
      expect(answer.headers.get('www-authenticate')).toBe(CHALLENGE);
      await expectProblem(answer, 401, 'auth.missing_api_key');
    }
    const retry = await hub.request(`/queues/api/queues/${MAINTENANCE_QUEUE}/retry/failed`, { method: 'PUT' });
    expect(retry.headers.get('www-authenticate')).toBe(CHALLENGE);
    await expectProblem(retry, 401, 'auth.missing_api_key');
    // A Basic header without a password carries no key.
    expect((await hub.request('/queues', { headers: basic('') })).status).toBe(401);
  });

  it('answers 401 to an unknown key, whichever way it comes', async () => {
    for (const headers of [{ 'X-API-Key': 'not-a-key' }, basic('not-a-key')]) {
      const answer = await hub.request('/queues/api/queues', { headers });
      expect(answer.headers.get('www-authenticate')).toBe(CHALLENGE);
      await expectProblem(answer, 401, 'auth.invalid_api_key');
    }
  });

  it("answers 403 naming platform:admin to a tenant admin's key, as the API key guard does", async () => {
    for (const init of [{ key: tenantAdminKey }, { headers: basic(tenantAdminKey) }]) {
      for (const path of ['/queues', '/queues/api/queues']) {
        const answer = await hub.request(path, init);
        expect(answer.headers.get('www-authenticate')).toBeNull();
        const body = await expectProblem(answer, 403, 'auth.missing_scope');
        expect(body).toMatchObject({ detail: 'The API key lacks the scope platform:admin', missingScopes: ['platform:admin'] });
      }
    }
  });

  it('serves the page, the assets it loads and the queue list to the bootstrap key, by X-API-Key and by Basic auth', async () => {
    for (const init of [{ key: hub.bootstrapKey }, { headers: basic(hub.bootstrapKey, 'anyone') }]) {
      const page = await hub.request('/queues', init);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain('<base href="/queues/"');
      expect(html).toContain('Integration Hub queues');
      // The page's own scripts and stylesheet load, and the CSP sent with it lets them run.
      const assets = [...html.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((match) => match[1]);
      expect(assets.filter((asset) => asset.endsWith('.js')).length).toBeGreaterThan(0);
      expect(assets.filter((asset) => asset.endsWith('.css')).length).toBeGreaterThan(0);
      for (const asset of assets) {
        const answer = await hub.request(`/queues/${asset}`, init);
        // Read to the end: a bundle left unread keeps its connection busy, and closing the app would wait on it.
        const bytes = (await answer.arrayBuffer()).byteLength;
        expect({ asset, status: answer.status, empty: bytes === 0 }).toEqual({ asset, status: 200, empty: false });
      }
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("frame-ancestors 'none'");

      const api = await hub.request('/queues/api/queues', init);
      expect(api.status).toBe(200);
      expect(api.headers.get('content-type')).toContain('application/json');
      const { queues } = (await api.json()) as { queues: Array<{ name: string }> };
      expect(queues.map((queue) => queue.name).sort()).toEqual(QUEUE_NAMES);

      await expectProblem(await hub.request('/queues/no-such-page', init), 404, 'http.404');
    }
    // The API keeps its own policy; only /queues gets the page's.
    expect((await hub.request('/api/me', { key: hub.bootstrapKey })).headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  });

  it("spends the key's hourly budget and records its use, as every API route does: 429 with Retry-After and RateLimit-* headers", async () => {
    const limited = await operator.apiKeys.generateApiKey({ requestBody: { keyName: 'Queue operator, limited', scopes: ['platform:admin'], rateLimitPerHour: 3 } });
    const answers: Response[] = [];
    for (const init of [{ key: limited.key }, { headers: basic(limited.key) }, { key: limited.key }, { key: limited.key }, { headers: basic(limited.key) }]) {
      const answer = await hub.request('/queues/api/queues', init);
      await answer.arrayBuffer();
      answers.push(answer);
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers.map((answer) => answer.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0', '0']);
    const [first, last] = [answers[0], answers[4]];
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last.headers.get('www-authenticate')).toBeNull();
    const refused = await hub.request('/queues', { key: limited.key });
    await expectProblem(refused, 429, 'auth.rate_limited');

    // The three it let through are counted (the refused ones are not, as on the API).
    await eventually(async () => expect((await operator.apiKeys.getApiKey({ id: limited.id })).usageCount).toBe(3), 20_000, 50);
  });

  it('refuses a platform:admin key once it is revoked', async () => {
    const created = await operator.apiKeys.generateApiKey({ requestBody: { keyName: 'Queue operator', scopes: ['platform:admin'] } });
    expect((await hub.request('/queues/api/queues', { headers: basic(created.key) })).status).toBe(200); // cached as valid
    await operator.apiKeys.revokeApiKey({ id: created.id, reason: 'Left the team' });
    for (const init of [{ key: created.key }, { headers: basic(created.key) }]) {
      const answer = await hub.request('/queues', init);
      expect(answer.headers.get('www-authenticate')).toBe(CHALLENGE);
      await expectProblem(answer, 401, 'auth.invalid_api_key');
    }
  });

  it('stays out of the OpenAPI document', async () => {
    const document = (await (await hub.request('/docs-json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/queues'))).toEqual([]);
  });
});
