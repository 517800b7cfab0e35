import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { httpRequestDuration } from '../metrics/metrics';
import { ProblemDetailsFilter, sendProblem, toProblem } from './problem-details.filter';
import { createValidationPipe } from './validation';

const REQUEST_ID = /^[\w.:-]{1,100}$/;
const QUIET_ROUTES = /^\/(health|metrics)/;

/**
 * Security headers for a JSON API, as the OWASP REST Security Cheat Sheet lists them, set once per response
 * from a constant. (@fastify/helmet's browser-page set re-derived its policy on every request and tripled the
 * bytes of every answer; its page-oriented headers protect nothing in a JSON response.) Swagger UI gets a CSP
 * that lets its own scripts and styles run.
 */
const API_SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};
const DOCS_SECURITY_HEADERS: Record<string, string> = {
  ...API_SECURITY_HEADERS,
  'Cache-Control': 'no-cache',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'",
};

/** Fastify's own options: body limit, proxies, and a request id taken from `X-Request-Id` or made up. */
export function fastifyOptions(config: AppConfig, logger: Logger): FastifyServerOptions {
  return {
    loggerInstance: logger,
    // One line per request, written by the onResponse hook below (which skips health probes and scrapes).
    disableRequestLogging: true,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  };
}

/** Security headers, CORS, validation, problem+json for every failure, request ids and HTTP metrics. */
export async function configureHttp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  if (config.corsOrigins.length) {
    await app.register(cors, { origin: config.corsOrigins.includes('*') ? true : config.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] });
  }
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(request.url.startsWith('/docs') ? DOCS_SECURITY_HEADERS : API_SECURITY_HEADERS).header('X-Request-Id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    httpRequestDuration.observe({ method: request.method, route, status: reply.statusCode }, seconds);
    if (!QUIET_ROUTES.test(route) && (request.log as Logger).isLevelEnabled('info')) {
      request.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
    }
    done();
  });
  // Failures before Nest sees the request: malformed JSON, oversized body, wrong media type. (Unknown routes
  // reach Nest's not-found handler, whose exception the problem filter renders.)
  fastify.setErrorHandler((error, request, reply) => sendProblem(reply, request, toProblem(error)));
}
