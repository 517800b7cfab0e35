import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_SCOPES } from '../../../common/auth/auth.decorators';
import { missingScopes } from '../../../common/auth/scopes';
import { CommonError, CommonErrorCode } from '../../../common/errors/domain-error';
import { ApiKeyRateLimiter } from './api-key-rate-limiter';
import { ApiKeyUsageRecorder } from './api-key-usage-recorder';
import { API_KEY_STRATEGY } from './api-key.strategy';
import type { VerifiedKey } from './api-key-verifier';

/**
 * The global guard: every route needs an API key unless marked @Public(). Authenticates (401), spends one
 * request of the key's hourly budget (429 with Retry-After and RateLimit-* headers), records the use, checks
 * the route's scopes (403 naming what is missing), and puts the caller on the request as its Actor.
 */
@Injectable()
export class ApiKeyGuard extends AuthGuard(API_KEY_STRATEGY) {
  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimiter: ApiKeyRateLimiter,
    private readonly usage: ApiKeyUsageRecorder,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    await super.canActivate(context);

    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { user: VerifiedKey }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const key = request.user;

    const decision = await this.rateLimiter.consume(key.apiKeyId, key.rateLimitPerHour);
    void reply.header('RateLimit-Limit', decision.limit).header('RateLimit-Remaining', decision.remaining).header('RateLimit-Reset', decision.resetSeconds);
    if (!decision.allowed) {
      void reply.header('Retry-After', decision.resetSeconds);
      throw new CommonError(CommonErrorCode.RateLimited, `The key's limit of ${decision.limit} requests per hour is spent; retry in ${decision.resetSeconds} s`, {
        retryAfterSeconds: decision.resetSeconds,
      });
    }
    this.usage.record(key.apiKeyId);

    const missing = missingScopes(key.scopes, this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets) ?? []);
    if (missing.length) {
      throw new CommonError(CommonErrorCode.MissingScope, `The API key lacks the scope ${missing.join(', ')}`, { missingScopes: missing });
    }

    request.actor = { tenantId: key.tenantId, apiKeyId: key.apiKeyId, scopes: key.scopes, ip: request.ip, requestId: String(request.id) };
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    if (!user) throw new CommonError(CommonErrorCode.MissingApiKey, 'Send an API key in the X-API-Key header');
    return user;
  }
}
