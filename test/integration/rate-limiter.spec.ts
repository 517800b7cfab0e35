import type Redis from 'ioredis';
import { REDIS } from '../../src/common/redis/redis.module';
import { ApiKeyRateLimiter } from '../../src/modules/api-keys/infrastructure/api-key-rate-limiter';
import { startTestApp, TestApp } from '../support/test-app';

/** The hourly budget under concurrency, against the real Redis: never more than the limit, never much less. */
describe('ApiKeyRateLimiter', () => {
  let hub: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    hub = await startTestApp({ PROCESS_ROLE: 'api' });
    redis = hub.app.get(REDIS);
  });

  afterAll(() => hub.close());

  it('lets exactly the limit through when many requests arrive at once on two replicas', async () => {
    const replicas = [new ApiKeyRateLimiter(redis), new ApiKeyRateLimiter(redis)];
    const keyId = `concurrent-${Date.now()}`;
    const decisions = await Promise.all(Array.from({ length: 1500 }, (_, i) => replicas[i % 2].consume(keyId, 1000)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1000);
  });

  it('lets a key whose limit was raised go on at once on a replica that had spent its budget', async () => {
    const other = new ApiKeyRateLimiter(redis);
    const keyId = `raised-${Date.now()}`;
    const spent = await Promise.all(Array.from({ length: 60 }, () => other.consume(keyId, 50)));
    expect(spent.filter((d) => d.allowed)).toHaveLength(50);
    expect((await other.consume(keyId, 50)).allowed).toBe(false);
    // The replica learns the new limit with the key, from the verifier.
    const after = await Promise.all(Array.from({ length: 60 }, () => other.consume(keyId, 100)));
    // The other 50 of the 100, less the lease units the refused requests took from Redis's count (one here).
    const allowed = after.filter((d) => d.allowed).length;
    expect(allowed).toBeGreaterThanOrEqual(48);
    expect(allowed).toBeLessThanOrEqual(50);
    expect(after.find((d) => d.allowed)).toMatchObject({ limit: 100 });
  });

  it('does not take a lease per waiting request: Redis sees leases, not requests', async () => {
    const limiter = new ApiKeyRateLimiter(redis);
    const keyId = `leases-${Date.now()}`;
    const decisions = await Promise.all(Array.from({ length: 300 }, () => limiter.consume(keyId, 10_000)));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    const window = Math.floor(Date.now() / 3_600_000);
    // Leases are 100 requests for a 10,000/hour key: 300 requests need 3, not 300.
    expect(Number(await redis.get(`ratelimit:${keyId}:${window}`))).toBe(300);
    // The count lives until a minute past the end of its hour, and no longer.
    const ttl = await redis.ttl(`ratelimit:${keyId}:${window}`);
    expect(ttl).toBeGreaterThan(60);
    expect(ttl).toBeLessThanOrEqual(3_660);
  });
});
