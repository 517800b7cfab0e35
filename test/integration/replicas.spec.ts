import { EntityManager } from '@mikro-orm/postgresql';
import { RedisChannels } from '../../src/common/redis/redis.module';
import { ApiKeyVerifier } from '../../src/modules/api-keys/infrastructure/api-key-verifier';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Two API replicas on one PostgreSQL and Redis: revocation reaches the other replica's cache through Redis
 * pub/sub, and the hourly budget is one budget.
 */
describe('API keys across replicas', () => {
  let a: TestApp;
  let b: TestApp;
  let adminKey: string;

  beforeAll(async () => {
    // A long cache TTL proves that revocation travels by invalidation, not by expiry of the cache entry.
    const env = { PROCESS_ROLE: 'api', API_KEYS_CACHE_TTL_MS: '600000' };
    a = await startTestApp(env);
    b = await startTestApp(env);
    const tenant = await a.client(a.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Replicated' } });
    adminKey = tenant.adminKey.key;
  });

  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('a key revoked on one replica is refused by the other within a second', async () => {
    const key = await a.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Shared', scopes: ['integration:read'] } });
    expect((await b.request('/api/me', { key: key.key })).status).toBe(200); // now cached on b
    await a.client(adminKey).apiKeys.revokeApiKey({ id: key.id, reason: 'Compromised' });
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 1000) {
      status = (await b.request('/api/me', { key: key.key })).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe(401);
  });

  it('a narrowed key loses its scope on the other replica too', async () => {
    const key = await a.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Narrowed', scopes: ['integration:read', 'integration:manage'] } });
    expect((await b.request('/api/apikeys', { key: key.key })).status).toBe(200);
    await a.client(adminKey).apiKeys.updateApiKey({ id: key.id, requestBody: { scopes: ['integration:read'] } });
    const deadline = Date.now() + 1000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) status = (await b.request('/api/apikeys', { key: key.key })).status;
    expect(status).toBe(403);
  });

  it('a raised limit lets a key that spent its budget go on, on the other replica too', async () => {
    const key = await a.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Raised', scopes: ['integration:read'], rateLimitPerHour: 2 } });
    const spent = [await b.request('/api/me', { key: key.key }), await b.request('/api/me', { key: key.key }), await b.request('/api/me', { key: key.key })];
    expect(spent.map((r) => r.status)).toEqual([200, 200, 429]);
    await a.client(adminKey).apiKeys.updateApiKey({ id: key.id, requestBody: { rateLimitPerHour: 5 } });
    const deadline = Date.now() + 1000;
    let answer = await b.request('/api/me', { key: key.key });
    while (answer.status === 429 && Date.now() < deadline) answer = await b.request('/api/me', { key: key.key });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('ratelimit-limit')).toBe('5');
  });

  it('does not cache a key read while it was being changed', async () => {
    const key = await a.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Raced', scopes: ['integration:read'] } });
    const verifier = b.app.get(ApiKeyVerifier);
    // A cache miss: the look-up is under way when another replica's invalidation message arrives (delivered here
    // by hand, at once: through Redis it could come before or after the look-up ends).
    const reading = verifier.verify(key.key);
    expect(reading).toBeInstanceOf(Promise);
    (verifier as unknown as { forget(apiKeyId: string): void }).forget(key.id);
    await expect(reading).resolves.toMatchObject({ apiKeyId: key.id });
    // The change itself, written behind the cache's back: a cached read would still let the key in.
    await b.app.get(EntityManager).getConnection().execute('UPDATE api_key SET is_active = false, revoked_at = now() WHERE id = ?', [key.id]);
    expect((await b.request('/api/me', { key: key.key })).status).toBe(401);
  });

  it('answers a revocation that committed even when Redis refuses to carry the news', async () => {
    const key = await a.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Unannounced', scopes: ['integration:read'] } });
    const channels = a.app.get(RedisChannels);
    const publish = jest.spyOn(channels, 'publish').mockRejectedValue(new Error('Connection is closed.'));
    try {
      const revoked = await a.client(adminKey).apiKeys.revokeApiKey({ id: key.id, reason: 'Redis down' });
      expect(revoked).toMatchObject({ status: 'Revoked' });
      expect(publish).toHaveBeenCalled();
    } finally {
      publish.mockRestore();
    }
    // The replica that revoked it dropped it itself.
    expect((await a.request('/api/me', { key: key.key })).status).toBe(401);
  });

  it('shares one hourly budget between replicas', async () => {
    const key = await a.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Budget', scopes: ['integration:read'], rateLimitPerHour: 4 } });
    const statuses: number[] = [];
    for (const replica of [a, b, a, b, a, b]) statuses.push((await replica.request('/api/me', { key: key.key })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });
});
