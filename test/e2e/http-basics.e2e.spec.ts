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
});
