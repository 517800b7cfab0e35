import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type Redis from 'ioredis';
import { REDIS } from '../../src/common/redis/redis.module';
import { startTestApp, TestApp } from '../support/test-app';

/** What every answer carries (security headers, request ids), CORS for a browser admin, and the health probes. */
describe('HTTP basics', () => {
  const origin = 'https://admin.example.com';
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ CORS_ORIGINS: origin });
  });

  afterAll(() => hub.close());

  it('sends the security headers and a request id on every answer, and echoes a well-formed one', async () => {
    for (const answer of [await hub.request('/health/live'), await hub.request('/api/me')]) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
      expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(answer.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);
    }
    const unauthenticated = await hub.request('/api/me', { headers: { 'X-Request-Id': 'trace-42' } });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-request-id')).toBe('trace-42');
    expect(await unauthenticated.json()).toMatchObject({ requestId: 'trace-42' });
    // An id that could forge log lines is replaced, not echoed.
    const forged = await hub.request('/health/live', { headers: { 'X-Request-Id': 'a b\tc' } });
    expect(forged.headers.get('x-request-id')).not.toBe('a b\tc');
  });

  it('answers what Fastify refuses before routing as problem+json with a request id, as every other error', async () => {
    const key = hub.bootstrapKey;
    for (const [path, status] of [
      ['/api/tenants/%ZZ', 400],
      [`/api/tenants/${'a'.repeat(5000)}`, 414],
    ] as const) {
      const answer = await hub.request(path, { key, headers: { 'X-Request-Id': `refused-${status}` } });
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.headers.get('x-request-id')).toBe(`refused-${status}`);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await answer.json()).toMatchObject({ status, requestId: `refused-${status}`, instance: expect.any(String) });
    }
    // What Node's HTTP parser refuses never becomes a request, and still gets problem+json with the security headers.
    const overlong = await hub.request(`/api/me?filler=${'a'.repeat(20_000)}`, { key });
    expect(overlong.status).toBe(431);
    expect(overlong.headers.get('content-type')).toContain('application/problem+json');
    expect(overlong.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await overlong.json()).toMatchObject({ status: 431, code: 'http.431', detail: expect.stringContaining('16384 bytes') });
    const notHttp = await rawExchange('GARBAGE\r\n\r\n');
    expect(notHttp).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(notHttp).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(notHttp.slice(notHttp.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'http.400' });
    // Up to 4,096 characters a path parameter reaches its pipe, which names it: a 300-character external id fits.
    const longId = await hub.request(`/api/tenants/${'a'.repeat(200)}`, { key });
    expect(longId.status).toBe(400);
    expect(((await longId.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['id']);
  });

  /** Sends bytes on a connection of their own and reads what comes back until the server closes it. */
  function rawExchange(bytes: string): Promise<string> {
    const { hostname, port } = new URL(hub.baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(bytes));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('utf8')));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
  }

  it('refuses the character U+0000 in a string field with a 400 naming it, which PostgreSQL could not store', async () => {
    const operator = hub.client(hub.bootstrapKey);
    const before = (await operator.tenants.listTenants({})).total;
    const body = await hub.request('/api/tenants', { method: 'POST', key: hub.bootstrapKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'a\u0000b' }) });
    expect(body.status).toBe(400);
    expect(((await body.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['name']);
    expect((await operator.tenants.listTenants({})).total).toBe(before);
    // Nor half of a surrogate pair, which PostgreSQL would store as U+FFFD (two different values stored as one).
    const lone = await hub.request('/api/tenants', { method: 'POST', key: hub.bootstrapKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'a\ud800b' }) });
    expect(lone.status).toBe(400);
    expect(((await lone.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['name']);
    expect((await operator.tenants.listTenants({})).total).toBe(before);
    const query = await hub.request('/api/audit?action=%00', { key: hub.bootstrapKey });
    expect(query.status).toBe(400);
    expect(((await query.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['action']);
    // Nor in a text path parameter (it was a 500 from PostgreSQL).
    const records = `/api/integrations/${randomUUID()}/records`;
    for (const [path, field] of [
      [`${records}/a%00b/x1`, 'entity'],
      [`${records}/contacts/x%00y`, 'externalId'],
    ] as const) {
      const put = await hub.request(path, { method: 'PUT', key: hub.bootstrapKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { a: 1 } }) });
      expect(put.status).toBe(400);
      expect(((await put.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual([field]);
    }
  });

  it('lets the configured origin call every method, and no other origin', async () => {
    const preflight = (from: string) =>
      hub.request('/api/apikeys/00000000-0000-4000-8000-000000000000', {
        method: 'OPTIONS',
        headers: { Origin: from, 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': 'x-api-key' },
      });
    const allowed = await preflight(origin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(allowed.headers.get('access-control-allow-methods')).toEqual(expect.stringContaining('DELETE'));
    expect(allowed.headers.get('access-control-allow-methods')).toEqual(expect.stringContaining('PATCH'));
    expect((await preflight('https://elsewhere.example.com')).headers.get('access-control-allow-origin')).toBeNull();
    const exposed = await hub.request('/api/me', { key: hub.bootstrapKey, headers: { Origin: origin } });
    expect(exposed.headers.get('access-control-expose-headers')).toEqual(expect.stringContaining('RateLimit-Remaining'));
  });

  it('is live and ready, and names what is down when it is not ready', async () => {
    expect(await (await hub.request('/health/live')).json()).toEqual({ status: 'ok' });
    const ready = await hub.request('/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', details: { postgres: { status: 'up' }, redis: { status: 'up' }, queues: { status: 'up' } } });

    const down = await startTestApp();
    try {
      down.app.get<Redis>(REDIS).disconnect();
      const notReady = await down.request('/health/ready');
      expect(notReady.status).toBe(503);
      expect(notReady.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await notReady.json()) as { detail: string };
      expect(problem).toMatchObject({ code: 'health.not_ready', detail: expect.stringContaining('redis'), checks: { postgres: { status: 'up' }, redis: { status: 'down' } } });
      expect(problem.detail).not.toContain('postgres');
    } finally {
      await down.close();
    }
  });

  it('serves Swagger UI and the OpenAPI document it reads, describing errors and limits as they are sent', async () => {
    const ui = await hub.request('/docs');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    type Operation = {
      operationId: string;
      security?: Array<Record<string, unknown>>;
      parameters?: Array<{ name: string; in: string; schema: { format?: string } }>;
      requestBody?: { content: Record<string, unknown> };
      responses: Record<string, { description: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
    };
    const document = (await (await hub.request('/docs-json')).json()) as { paths: Record<string, Record<string, Operation>> };
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
    let errorBodiesChecked = 0;
    let securedChecked = 0;
    for (const operation of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        // Swagger UI shows the description, and the SDK's ApiError takes it as its message.
        expect([operation.operationId, status, response.description]).toEqual([operation.operationId, status, expect.stringMatching(/\w/)]);
        if (Number(status) >= 400 && response.content) {
          expect([operation.operationId, Object.keys(response.content)]).toEqual([operation.operationId, ['application/problem+json']]);
          errorBodiesChecked++;
        }
      }
      if (operation.security?.length) {
        expect([operation.operationId, Object.keys(operation.responses['429']?.headers ?? {})]).toEqual([operation.operationId, expect.arrayContaining(['Retry-After', 'RateLimit-Remaining'])]);
        securedChecked++;
      }
    }
    const operation = (id: string) => operations.find((o) => o.operationId === id)!;
    // A path id the server checks as a UUID says so; a JSON body may be refused as too large or of another type.
    expect(operation('getApiKey').parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path', schema: expect.objectContaining({ format: 'uuid' }) }));
    expect(Object.keys(operation('createWebhook').responses)).toEqual(expect.arrayContaining(['413', '415']));
    // The progress stream is text, which the SDK returns as such.
    expect(Object.keys(operation('streamDataSync').responses['200'].content ?? {})).toEqual(['text/event-stream']);
    // The checks above ran: the document describes error bodies and secured operations at all.
    expect(errorBodiesChecked).toBeGreaterThan(0);
    expect(securedChecked).toBeGreaterThan(0);
  });
});
