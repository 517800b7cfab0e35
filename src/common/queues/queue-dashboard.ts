import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { INestApplicationContext } from '@nestjs/common';
import { NotFoundException } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Bull from 'bull';
import type { Queue } from 'bull';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../auth/auth.decorators';
import { loggableError } from '../database/statement-failure';
import { CommonError, CommonErrorCode, DomainError } from '../errors/domain-error';
import { sendProblem, toProblem } from '../http/problem-details.filter';

/** Where the API process serves bull-board, outside /api and outside the OpenAPI document. */
export const QUEUE_DASHBOARD_PATH = '/queues';
/** A browser navigating to the page cannot send X-API-Key: this makes it ask for the key as a Basic password. */
const BASIC_CHALLENGE = 'Basic realm="Integration Hub queues"';

/**
 * bull-board's page runs its own bundles from /queues/static (a web worker among them) and React sets inline
 * styles. Its Google Fonts stylesheet stays blocked: an operator's browser does not call a third party for a
 * typeface, and the page falls back to the system font.
 */
const DASHBOARD_SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
};

/**
 * The dashboard as the application's guards see it: one route, held to platform:admin. Every request under the path
 * passes the same global guards as an API route does (the API key guard: 401, the key's hourly budget with its 429
 * and RateLimit-* headers, usage recorded, 403 naming the missing scope), so the dashboard cannot drift from the API.
 */
class QueueDashboardRoute {
  @RequireScopes('platform:admin')
  enter(): boolean {
    return true;
  }
}

/**
 * Every Bull queue the application registered (BullModule.registerQueue in any module), one per name, so a queue
 * added to a module shows up without a list here to keep in step.
 */
export function registeredQueues(app: INestApplicationContext): Queue[] {
  const byName = new Map<string, Queue>();
  for (const { instance } of app.get(DiscoveryService).getProviders()) {
    if (instance instanceof Bull && !byName.has(instance.name)) byName.set(instance.name, instance);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Mounts bull-board at /queues for platform operators: every request under the path (page, static bundles, its
 * JSON API, and paths it does not know) needs a key with platform:admin, in X-API-Key or as the password of HTTP
 * Basic authentication (the user name is ignored), and passes the application's guards as QueueDashboardRoute.
 * Registered as a Fastify plugin, not a Nest controller, so Swagger never sees it.
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const board = new FastifyAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: registeredQueues(app).map((queue) => new BullAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Integration Hub queues' } },
  });
  // Global guards only: no interceptors (no handler result to wrap) and no filters (refuse() answers).
  const route = new QueueDashboardRoute();
  const guarded = app
    .get(ExternalContextCreator)
    .create(route, route.enter, 'enter', undefined, undefined, undefined, undefined, { guards: true, interceptors: false, filters: false }, 'http');
  const dashboard: FastifyPluginAsync = async (fastify) => {
    // Runs after the application's own onRequest hook, so these replace its API headers for this path only.
    fastify.addHook('onRequest', async (request, reply) => {
      void reply.headers(DASHBOARD_SECURITY_HEADERS);
      try {
        // The guards read the key where API callers send it; a browser sends it as the Basic password.
        request.headers['x-api-key'] = apiKeyOf(request);
        await guarded(request, reply);
      } catch (error) {
        return refuse(request, reply, error);
      }
    });
    // Scoped to the prefix, so an unknown path under it passes the hook above too, rather than the root's 404.
    fastify.setNotFoundHandler((request, reply) => sendProblem(reply, request, toProblem(new NotFoundException(`Cannot ${request.method} ${request.url.split('?')[0]}`))));
    await fastify.register(board.registerPlugin());
  };
  await app.register(dashboard, { prefix: QUEUE_DASHBOARD_PATH });
}

/** The key from X-API-Key, else the password of Basic authentication; a 401 when neither holds one. */
function apiKeyOf(request: FastifyRequest): string {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const [scheme, credentials] = (request.headers.authorization ?? '').split(' ', 2);
  if (scheme?.toLowerCase() === 'basic' && credentials) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    if (decoded.includes(':') && password !== '') return password;
  }
  throw new CommonError(CommonErrorCode.MissingApiKey, 'Send an API key in the X-API-Key header, or as the password of HTTP Basic authentication');
}

function refuse(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof DomainError)) request.log.error({ err: loggableError(error) }, 'Could not verify an API key for the queue dashboard');
  const problem = toProblem(error);
  if (problem.status === 401) void reply.header('WWW-Authenticate', BASIC_CHALLENGE);
  sendProblem(reply, request, problem);
  return reply;
}
