import { ExecutionContext, Injectable } from '@nestjs/common';
import type { CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_SCOPES } from '../../../common/auth/auth.decorators';
import { missingScopes } from '../../../common/auth/scopes';
import { CommonError, CommonErrorCode } from '../../../common/errors/domain-error';
import { ApiKeyRateLimiter, RateLimitDecision } from './api-key-rate-limiter';
import { ApiKeyUsageRecorder } from './api-key-usage-recorder';
import { ApiKeyVerifier, VerifiedKey } from './api-key-verifier';

/** What one run of the strategy reported: synchronously (key or failure) or, after a look-up, to `waiting`. */
type PassportAttempt = HeaderAPIKeyStrategy & {
  key?: VerifiedKey;
  failure?: Error;
  waiting?: { resolve(key: VerifiedKey): void; reject(error: Error): void };
  success(key: VerifiedKey): void;
  fail(): void;
  error(error: Error): void;
};

const NONE_MISSING: readonly string[] = [];

interface RoutePolicy {
  isPublic: boolean;
  scopes: readonly string[];
}

/**
 * The global guard: every route needs an API key unless marked @Public(). Authenticates (401), spends one
 * request of the key's hourly budget (429 with Retry-After and RateLimit-* headers), records the use, checks
 * the route's scopes (403 naming what is missing), and puts the caller on the request as its Actor.
 *
 * The key is read by passport-headerapikey's strategy, driven directly rather than through @nestjs/passport's
 * AuthGuard: that wrapper builds a passport middleware per request and cost about 10 µs of a request that
 * must stay within 85% of an unauthenticated one (bench/auth).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** The strategy with success/fail/error that record the outcome on the attempt (Object.create per request). */
  private readonly attempts: PassportAttempt;
  /** Public flag and scopes per route handler, read from the decorators once rather than on every request. */
  private readonly policies = new WeakMap<object, RoutePolicy>();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: ApiKeyVerifier,
    private readonly rateLimiter: ApiKeyRateLimiter,
    private readonly usage: ApiKeyUsageRecorder,
  ) {
    const strategy = new HeaderAPIKeyStrategy({ header: 'X-API-Key', prefix: '' }, false, (apiKey, done) => {
      let verified: VerifiedKey | Promise<VerifiedKey>;
      try {
        verified = this.verifier.verify(apiKey);
      } catch (error) {
        return done(error as Error);
      }
      if (verified instanceof Promise) verified.then((key) => done(null, key), (error: Error) => done(error));
      else done(null, verified);
    });
    // Methods on a shared prototype rather than closures per request: the attempt only records what happened.
    this.attempts = Object.assign(Object.create(strategy) as PassportAttempt, {
      success(this: PassportAttempt, key: VerifiedKey) {
        if (this.waiting) this.waiting.resolve(key);
        else this.key = key;
      },
      fail(this: PassportAttempt) {
        this.error(new CommonError(CommonErrorCode.MissingApiKey, 'Send an API key in the X-API-Key header'));
      },
      error(this: PassportAttempt, error: Error) {
        if (this.waiting) this.waiting.reject(error);
        else this.failure = error;
      },
    });
  }

  /**
   * Synchronous for a cached key with budget left in this replica's lease, which is nearly every request:
   * promises cost about a microsecond each here, a large part of the budget bench/auth holds us to.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    // The HTTP arguments as they are: switchToHttp() builds a new object on each call.
    const [request, reply] = context.getArgs<[AuthenticatedRequest, FastifyReply]>();
    const key = this.authenticate(request);
    if (key instanceof Promise) return key.then((found) => this.admit(found, policy, request, reply));
    return this.admit(key, policy, request, reply);
  }

  private admit(key: VerifiedKey, policy: RoutePolicy, request: AuthenticatedRequest, reply: FastifyReply): boolean | Promise<boolean> {
    const decision = this.rateLimiter.consume(key.apiKeyId, key.rateLimitPerHour);
    if (decision instanceof Promise) return decision.then((settled) => this.authorize(key, settled, policy, request, reply));
    return this.authorize(key, decision, policy, request, reply);
  }

  private authorize(key: VerifiedKey, decision: RateLimitDecision, policy: RoutePolicy, request: AuthenticatedRequest, reply: FastifyReply): boolean {
    void reply.header('RateLimit-Limit', decision.limit).header('RateLimit-Remaining', decision.remaining).header('RateLimit-Reset', decision.resetSeconds);
    if (!decision.allowed) {
      void reply.header('Retry-After', decision.resetSeconds);
      throw new CommonError(CommonErrorCode.RateLimited, `The key's limit of ${decision.limit} requests per hour is spent; retry in ${decision.resetSeconds} s`, {
        retryAfterSeconds: decision.resetSeconds,
      });
    }
    this.usage.record(key.apiKeyId);
    const missing = policy.scopes.length ? missingScopes(key.scopes, policy.scopes) : NONE_MISSING;
    if (missing.length) {
      throw new CommonError(CommonErrorCode.MissingScope, `The API key lacks the scope ${missing.join(', ')}`, { missingScopes: missing });
    }
    request.actor = { tenantId: key.tenantId, apiKeyId: key.apiKeyId, scopes: key.scopes, ip: request.ip, requestId: String(request.id) };
    return true;
  }

  /** One passport authentication attempt: the strategy calls success, fail (no header) or error (bad key). */
  private authenticate(request: AuthenticatedRequest): VerifiedKey | Promise<VerifiedKey> {
    const attempt = Object.create(this.attempts) as PassportAttempt;
    attempt.authenticate(request as never);
    if (attempt.failure) throw attempt.failure;
    if (attempt.key) return attempt.key;
    // Only a key missing from the cache gets here: the strategy reports once the look-up answers.
    return new Promise((resolve, reject) => (attempt.waiting = { resolve, reject }));
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      const targets = [handler, context.getClass()];
      policy = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false,
        scopes: this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets) ?? [],
      };
      this.policies.set(handler, policy);
    }
    return policy;
  }
}
