import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { CommonError, CommonErrorCode } from '../../../common/errors/domain-error';
import { apiKeyAuthentications, countApiKeyAuthenticated } from '../../../common/metrics/metrics';
import { RedisChannels } from '../../../common/redis/redis.module';
import { hashApiKey, passesChecksum } from '../domain/api-key-token';

/** What authentication needs to know of a key, cached in memory per replica. */
export interface VerifiedKey {
  apiKeyId: string;
  tenantId: string;
  scopes: readonly string[];
  rateLimitPerHour: number;
  /** Epoch ms after which the key is expired (its expiry, or the end of a rotation's grace period). */
  validUntil: number | null;
  active: boolean;
  /**
   * Revoked by the hourly expiry job (no one revoked it, and its expiry had passed), so callers still hear
   * "expired" rather than "invalid"; a key revoked by someone, a rotation without grace included, is invalid.
   */
  revokedAsExpired: boolean;
}

/** The key verified last on a connection, with what it takes to stay as fresh as the cache entry it came from. */
interface ConnectionMemo {
  token: string;
  key: VerifiedKey;
  /** The verifier's invalidation count when it was taken: any invalidation since drops it. */
  invalidations: number;
  /** Epoch ms at which its cache entry's TTL ends. */
  until: number;
}

const INVALIDATION_CHANNEL = 'apikeys:invalidate';
/** What a look-up that found no row answers. */
const UNKNOWN = 'unknown' as const;
/**
 * Hashes looked up lately and found in no row. Apart from the verified keys, so that made-up keys (the checksum
 * is public, so well-formed ones cost nothing to make) only ever push out each other, never a valid key; small
 * and short-lived, as a made-up key repeated is rare and a miss has nothing to invalidate it when a key with
 * that hash appears (BOOTSTRAP_API_KEY's row at start-up).
 */
const UNKNOWN_MAX_ENTRIES = 10_000;
const UNKNOWN_TTL_MS = 5_000;

/**
 * Verifies API keys without a database round trip per request: a verified key is cached for
 * API_KEYS_CACHE_TTL_MS; revoke, rotate and update publish the key id on Redis and every replica drops it,
 * so a revoked key fails everywhere well within a second. Expiry is checked on every request against the
 * cached `validUntil`, so it needs no invalidation. Only our own format (prefix and checksum) or the
 * configured BOOTSTRAP_API_KEY ever reaches the database.
 */
@Injectable()
export class ApiKeyVerifier implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyVerifier.name);
  private readonly cache: LRUCache<string, VerifiedKey>;
  private readonly unknown: LRUCache<string, true>;
  /**
   * The SHA-256 of BOOTSTRAP_API_KEY, from the same configuration EnsureBootstrapKeyCommand is given at
   * start-up: the one key not in our format that may be looked up. Compared in constant time, digest to digest.
   */
  private readonly bootstrapHash: Buffer;
  private readonly hashOfId = new Map<string, string>();
  /** Per connection (its socket, held weakly), the key verified last on it: see verifyOn. */
  private readonly lastOnConnection = new WeakMap<object, ConnectionMemo>();
  /** Look-ups under way by hash, with the invalidation count they began under (see lookUp). */
  private readonly inFlight = new Map<string, { invalidations: number; result: Promise<VerifiedKey | typeof UNKNOWN> }>();
  /**
   * Counts invalidations. A look-up that began before one may have read the key as it was before the change
   * committed, and must not be cached: the invalidation found nothing in the cache to drop, so the stale row
   * would otherwise be trusted for a whole TTL.
   */
  private invalidations = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly channels: RedisChannels,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cache = new LRUCache({
      max: config.apiKeys.cacheMaxEntries,
      ttl: Math.max(config.apiKeys.cacheTtlMs, 1),
      // Read the clock on each look-up. The default (1 ms) keeps a reading for a millisecond and arms a timer to
      // forget it, so a busy replica armed and fired about a thousand timers a second (with the async hooks'
      // bookkeeping each) to save calls to performance.now(), which cost less than one timer.
      ttlResolution: 0,
      dispose: (value) => this.hashOfId.delete(value.apiKeyId),
    });
    this.unknown = new LRUCache({ max: UNKNOWN_MAX_ENTRIES, ttl: Math.max(Math.min(config.apiKeys.cacheTtlMs, UNKNOWN_TTL_MS), 1), ttlResolution: 0 });
    this.bootstrapHash = Buffer.from(hashApiKey(config.bootstrapApiKey), 'hex');
  }

  async onModuleInit(): Promise<void> {
    await this.channels.subscribe(INVALIDATION_CHANNEL, (apiKeyId) => this.forget(apiKeyId));
    this.channels.onResubscribed(() => {
      this.invalidations++;
      this.cache.clear();
      this.unknown.clear();
    });
  }

  /**
   * Throws 401 problems: invalid (missing, malformed, unknown, revoked) or expired. A cached key is answered
   * synchronously (no promise on the hot path); only a cache miss returns a promise.
   */
  verify(token: string, now = Date.now()): VerifiedKey | Promise<VerifiedKey> {
    const hash = hashApiKey(token);
    const cached = this.cache.get(hash);
    if (cached !== undefined) return this.judge(cached, now);
    return this.verifyUncached(token, hash, now);
  }

  /**
   * verify() for a request that came on `connection` (its socket). A client on a keep-alive connection sends the
   * same key with every request, so the key verified last on a connection is remembered with it and answers the
   * next request that brings the same token, without hashing it and looking the hash up: about 1.5 µs of the 12 or so
   * that authentication adds to a request (bench/auth, by perf). It answers only as long as the cache entry it came from would:
   * any invalidation since (a revocation, rotation or update, on any key and any replica, or a lost subscription)
   * and the end of the entry's TTL drop it, and expiry is judged on every request as for a cached key.
   */
  verifyOn(connection: object, token: string, now = Date.now()): VerifiedKey | Promise<VerifiedKey> {
    const memo = this.lastOnConnection.get(connection);
    if (memo !== undefined && memo.token === token && memo.invalidations === this.invalidations && now < memo.until) return this.judge(memo.key, now);
    const hash = hashApiKey(token);
    const cached = this.cache.get(hash);
    if (cached === undefined) return this.verifyUncached(token, hash, now);
    this.lastOnConnection.set(connection, { token, key: cached, invalidations: this.invalidations, until: now + this.cache.getRemainingTTL(hash) });
    return this.judge(cached, now);
  }

  private verifyUncached(token: string, hash: string, now: number): Promise<VerifiedKey> {
    // Only a key we have not seen lately costs a look-up, and a mistyped or foreign one not even that.
    if (!this.isBootstrap(hash) && !passesChecksum(token)) return this.reject(CommonErrorCode.InvalidApiKey, 'checksum');
    if (this.unknown.has(hash)) return this.reject(CommonErrorCode.InvalidApiKey, 'unknown');
    return this.lookUp(hash).then((found) => this.judge(found, now));
  }

  /** Drops the key from every replica's cache; call after the change committed. */
  async invalidateEverywhere(apiKeyId: string): Promise<void> {
    this.forget(apiKeyId);
    try {
      await this.channels.publish(INVALIDATION_CHANNEL, apiKeyId);
    } catch (error) {
      // The change has committed: failing now would answer an error for a change that was made (and a retry, a
      // conflict). Replicas drop their whole cache when their subscription comes back, and entries live
      // API_KEYS_CACHE_TTL_MS at most.
      this.logger.error({ apiKeyId, error: (error as Error).message }, 'Could not tell other replicas to drop a changed API key');
    }
  }

  private isBootstrap(hash: string): boolean {
    return timingSafeEqual(Buffer.from(hash, 'hex'), this.bootstrapHash);
  }

  private forget(apiKeyId: string): void {
    this.invalidations++;
    const hash = this.hashOfId.get(apiKeyId);
    if (hash) this.cache.delete(hash);
  }

  private lookUp(hash: string): Promise<VerifiedKey | typeof UNKNOWN> {
    // Concurrent first requests with one key share one query, unless an invalidation came since it began: it may
    // have read the row before a revocation committed, and a request arriving after the revocation must not be let
    // in on that read.
    const pending = this.inFlight.get(hash);
    if (pending && pending.invalidations === this.invalidations) return pending.result;
    const started = { invalidations: this.invalidations, result: this.query(hash) };
    this.inFlight.set(hash, started);
    const forget = (): void => {
      if (this.inFlight.get(hash) === started) this.inFlight.delete(hash);
    };
    // Both ways, so that this bookkeeping never leaves a rejection unhandled; the callers handle the result's.
    started.result.then(forget, forget);
    return started.result;
  }

  private async query(hash: string): Promise<VerifiedKey | typeof UNKNOWN> {
    const invalidationsBefore = this.invalidations;
    const rows: Array<{ id: string; tenant_id: string; scopes: string[]; rate_limit_per_hour: number; expires_at: Date | null; is_active: boolean; revoked_as_expired: boolean }> =
      await this.em.getConnection().execute(
        `SELECT id, tenant_id, scopes, rate_limit_per_hour, expires_at, is_active,
                (NOT is_active AND revoked_by IS NULL AND expires_at <= revoked_at) AS revoked_as_expired
           FROM api_key WHERE key_hash = ?`,
        [hash],
      );
    const row = rows[0];
    const result: VerifiedKey | typeof UNKNOWN = row
      ? {
          apiKeyId: row.id,
          tenantId: row.tenant_id,
          scopes: row.scopes,
          rateLimitPerHour: row.rate_limit_per_hour,
          validUntil: row.expires_at ? new Date(row.expires_at).getTime() : null,
          active: row.is_active,
          revokedAsExpired: row.revoked_as_expired,
        }
      : UNKNOWN;
    if (result === UNKNOWN) {
      this.unknown.set(hash, true);
    } else if (this.invalidations === invalidationsBefore) {
      this.cache.set(hash, result);
      this.hashOfId.set(result.apiKeyId, hash);
    }
    return result;
  }

  private judge(found: VerifiedKey | typeof UNKNOWN, now: number): VerifiedKey {
    if (found === UNKNOWN) return this.reject(CommonErrorCode.InvalidApiKey, 'unknown');
    if (!found.active) return this.reject(found.revokedAsExpired ? CommonErrorCode.ExpiredApiKey : CommonErrorCode.InvalidApiKey, found.revokedAsExpired ? 'expired' : 'unknown');
    if (found.validUntil !== null && found.validUntil <= now) return this.reject(CommonErrorCode.ExpiredApiKey, 'expired');
    countApiKeyAuthenticated();
    return found;
  }

  private reject(code: CommonErrorCode.InvalidApiKey | CommonErrorCode.ExpiredApiKey, outcome: string): never {
    apiKeyAuthentications.inc({ outcome });
    throw new CommonError(code, code === CommonErrorCode.ExpiredApiKey ? 'The API key has expired' : 'The API key is invalid or revoked');
  }
}
