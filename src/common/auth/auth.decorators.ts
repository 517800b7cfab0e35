import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../cqrs/actor';
import { ProblemDetailsDto } from '../http/problem-details.dto';
import type { Scope } from './scopes';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_SCOPES = 'auth:scopes';
export const API_KEY_SECURITY = 'ApiKey';

/** The route needs no API key (health, metrics, signed provider callbacks). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The caller's key must hold every one of these scopes; documents the 401/403/429 answers too. */
export function RequireScopes(...scopes: Scope[]) {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    ApiSecurity(API_KEY_SECURITY),
    ApiUnauthorizedResponse({ description: 'Missing, unknown, revoked or expired API key', type: ProblemDetailsDto }),
    ApiForbiddenResponse({ description: `The key lacks a scope: ${scopes.join(', ')}`, type: ProblemDetailsDto }),
    ApiTooManyRequestsResponse({ description: "The key's hourly rate limit is spent", type: ProblemDetailsDto }),
  );
}

/** The authenticated caller, put on the request by the API key guard. */
export type AuthenticatedRequest = FastifyRequest & { actor?: Actor };

export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without authentication');
  return actor;
});
