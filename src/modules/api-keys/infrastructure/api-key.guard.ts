import { ExecutionContext, Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_SCOPES } from '../../../common/auth/auth.decorators';
import { assertHoldsScopes } from '../../../common/auth/scopes';
import { CommonError, CommonErrorCode } from '../../../common/errors/domain-error';
import { assertNoBody } from '../../../common/http/validation';
import { ApiKeyRateLimiter, RateLimitDecision } from './api-key-rate-limiter';
import { ApiKeyUsageRecorder } from './api-key-usage-recorder';
import { ApiKeyVerifier, VerifiedKey } from './api-key-verifier';

interface RoutePolicy {
  isPublic: boolean;
  scopes: readonly string[];
  /**
   * A route with no @Body() parameter (every DELETE, `POST …/test`, `…/replay`…): a body with fields sent to it is a
   * 400 (assertNoBody), once the caller is known to be allowed, rather than ignored with what it asked for.
   */
  takesNoBody: boolean;
}

/**
 * The global guard: every route needs an API key unless marked @Public(). Authenticates (401), spends one
 * request of the key's hourly budget (429 with Retry-After and RateLimit-* headers), records the use, checks
 * the route's scopes (403 naming what is missing), and puts the caller on the request as its Actor.
 *
 * The key is read from the X-API-Key header here. Neither @nestjs/passport's AuthGuard (a passport middleware
 * built per request, about 10 µs) nor passport-headerapikey's strategy driven directly (a lodash path look-up, a
 * RegExp, a closure and an array per request, about 4 µs) did more than that read, in a request that must stay
 * within 85% of an unauthenticated one (bench/auth).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** Public flag and scopes per route handler, read from the decorators once rather than on every request. */
  private readonly policies = new WeakMap<object, RoutePolicy>();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: ApiKeyVerifier,
    private readonly rateLimiter: ApiKeyRateLimiter,
    private readonly usage: ApiKeyUsageRecorder,
  ) {}

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
    if (policy.scopes.length) assertHoldsScopes(key.scopes, policy.scopes);
    if (policy.takesNoBody) assertNoBody(request.method, request.body);
    request.actor = { tenantId: key.tenantId, apiKeyId: key.apiKeyId, scopes: key.scopes, ip: request.ip, requestId: String(request.id) };
    return true;
  }

  /** 401 without a key; otherwise what the verifier says (synchronously for a cached key, else a promise). */
  private authenticate(request: AuthenticatedRequest): VerifiedKey | Promise<VerifiedKey> {
    // Node joins a repeated X-API-Key header into one string, so a string or nothing is all that arrives here.
    const token = request.headers['x-api-key'];
    if (typeof token !== 'string' || token === '') {
      throw new CommonError(CommonErrorCode.MissingApiKey, 'Send an API key in the X-API-Key header');
    }
    // The socket, to remember the key per keep-alive connection; a request without one (injected) is verified alone.
    const connection = request.raw.socket as object | undefined;
    return connection ? this.verifier.verifyOn(connection, token) : this.verifier.verify(token);
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      const targets = [handler, context.getClass()];
      policy = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false,
        scopes: this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets) ?? [],
        takesNoBody: takesNoBody(context.getClass(), handler),
      };
      this.policies.set(handler, policy);
    }
    return policy;
  }
}

/** Whether the handler is a route that could take a body (not GET or HEAD) and declares no @Body() parameter. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest hands the handler as a Function
function takesNoBody(controller: object, handler: Function): boolean {
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  if (method === undefined || method === RequestMethod.GET || method === RequestMethod.HEAD) return false;
  const parameters = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, unknown>;
  return !Object.keys(parameters).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
}
