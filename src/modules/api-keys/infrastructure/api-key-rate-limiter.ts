import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../../../common/redis/redis.module';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the hourly window ends. */
  resetSeconds: number;
}

interface Lease {
  window: number;
  /** The hourly limit the lease was counted against: a key whose limit changed starts a new lease. */
  limit: number;
  /** Requests this replica may still let through without asking Redis. */
  granted: number;
  used: number;
  /** The window's Redis count after our last lease: what every replica has taken so far, as we last saw it. */
  seenTotal: number;
  exhausted: boolean;
  /** The lease request under way, shared by every request that ran out meanwhile. */
  renewing?: Promise<void>;
}

const HOUR_MS = 3_600_000;

/**
 * Takes a lease: adds its size to the window's count and (re)sets the count's expiry, in one command. MULTI,
 * INCRBY, EXPIRE and EXEC did the same as four commands, each with its own reply and promise in ioredis.
 */
const LEASE_SCRIPT = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return total`;

/** The client with the lease script defined on it (ioredis runs it by EVALSHA, loading it when Redis lacks it). */
type LeaseClient = Redis & { takeRateLimitLease(key: string, size: number, ttlSeconds: number): Promise<number> };

/**
 * Hourly limit per API key (BR-AK-05), counted in Redis so that every replica shares one budget. A Redis round
 * trip per request would cost a large share of throughput, so a replica takes a lease of several requests at
 * once (INCRBY) and spends it locally; leases are small (1/50 of the limit, at most 100), so across N replicas
 * a key can be refused at most N leases early and is never let through past its limit.
 */
@Injectable()
export class ApiKeyRateLimiter {
  private readonly leases = new Map<string, Lease>();

  private readonly redis: LeaseClient;

  constructor(@Inject(REDIS) redis: Redis) {
    // Defining it again on the same client (every limiter made in tests) just replaces it.
    redis.defineCommand('takeRateLimitLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
    this.redis = redis as LeaseClient;
  }

  /** Answers synchronously while this replica's lease lasts; asks Redis (a promise) only to renew it. */
  consume(apiKeyId: string, limit: number, now = Date.now()): RateLimitDecision | Promise<RateLimitDecision> {
    const window = Math.floor(now / HOUR_MS);
    const resetSeconds = Math.ceil(((window + 1) * HOUR_MS - now) / 1000);
    let lease = this.leases.get(apiKeyId);
    // A changed limit comes with the key from the verifier on every replica (its cache is invalidated through
    // Redis); Redis's count of the window stays, so a raised limit lets the key go on at once everywhere.
    if (!lease || lease.window !== window || lease.limit !== limit) {
      lease = { window, limit, granted: 0, used: 0, seenTotal: 0, exhausted: false };
      this.leases.set(apiKeyId, lease);
    }
    if (lease.used < lease.granted || lease.exhausted) return this.decide(lease, limit, resetSeconds);
    return this.renewThenDecide(apiKeyId, lease, limit, resetSeconds);
  }

  private async renewThenDecide(apiKeyId: string, lease: Lease, limit: number, resetSeconds: number): Promise<RateLimitDecision> {
    // Concurrent requests that find the lease spent wait for one renewal instead of each taking a lease.
    while (lease.used >= lease.granted && !lease.exhausted) {
      lease.renewing ??= this.renew(apiKeyId, lease, limit, resetSeconds).finally(() => (lease.renewing = undefined));
      await lease.renewing;
    }
    return this.decide(lease, limit, resetSeconds);
  }

  private decide(lease: Lease, limit: number, resetSeconds: number): RateLimitDecision {
    if (lease.used < lease.granted) {
      lease.used++;
      const remaining = Math.max(0, limit - (lease.seenTotal - (lease.granted - lease.used)));
      return { allowed: true, limit, remaining, resetSeconds };
    }
    return { allowed: false, limit, remaining: 0, resetSeconds };
  }

  private async renew(apiKeyId: string, lease: Lease, limit: number, resetSeconds: number): Promise<void> {
    const size = Math.max(1, Math.min(100, Math.floor(limit / 50)));
    const key = `ratelimit:${apiKeyId}:${lease.window}`;
    const total = await this.redis.takeRateLimitLease(key, size, resetSeconds + 60);
    const before = total - size;
    const grant = Math.max(0, Math.min(size, limit - before));
    lease.granted += grant;
    lease.seenTotal = Math.min(total, limit);
    // Nothing left this window: stop asking Redis until the window turns (or the limit changes).
    if (grant < size) lease.exhausted = true;
  }
}
