import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { AppConfig } from '../config/app-config';
import { httpRequestDuration } from '../metrics/metrics';
import { ProblemDetailsFilter, sendProblem, toProblem } from './problem-details.filter';
import { createValidationPipe } from './validation';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Fastify's own options: body limit, proxies, and a request id taken from `X-Request-Id` or made up. */
export function fastifyOptions(config: AppConfig): FastifyServerOptions {
  return {
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      // pino-http logs `req.id` of the raw request: one id on every log line and in the answer.
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  };
}

/** Security headers, CORS, validation, problem+json for every failure, request ids and HTTP metrics. */
export async function configureHttp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  await app.register(helmet, {
    // Swagger UI at /docs needs inline styles; the API itself serves only JSON.
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], scriptSrc: ["'self'", "'unsafe-inline'"] },
    },
  });
  if (config.corsOrigins.length) {
    await app.register(cors, { origin: config.corsOrigins.includes('*') ? true : config.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] });
  }
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe({ method: request.method, route, status: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  });
  // Failures before Nest sees the request: malformed JSON, oversized body, wrong media type. (Unknown routes
  // reach Nest's not-found handler, whose exception the problem filter renders.)
  fastify.setErrorHandler((error, request, reply) => sendProblem(reply, request, toProblem(error)));
}
