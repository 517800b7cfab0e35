import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import cors from '@fastify/cors';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { errorCodes, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions, LogController, onResponseHookHandler, preParsingHookHandler } from 'fastify';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { parse as parseJsonSecurely } from 'secure-json-parse';
import type { AppConfig } from '../config/app-config';
import { API_KEY_PREFIX, KEY_PREFIX_LENGTH } from '../auth/api-key-format';
import { CommonError, CommonErrorCode } from '../errors/domain-error';
import { lazyRequestLogger } from '../logging/logger';
import { httpRequestDuration } from '../metrics/metrics';
import { buildProblem, PROBLEM_CONTENT_TYPE, ProblemDetailsFilter, sendProblem, toProblem, unsupportedMediaType } from './problem-details.filter';
import { createValidationPipe } from './validation';

const REQUEST_ID = /^[\w.:-]{1,100}$/;
const MAX_PATH_PARAMETER_LENGTH = 4096;
const QUIET_ROUTES = /^\/(health|metrics)/;

/**
 * Request ids unique across replicas and restarts: a random per-process prefix and a counter. A UUID per
 * request cost a measurable share of throughput for no gain in uniqueness.
 */
const PROCESS_ID = randomUUID().slice(0, 8);
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PROCESS_ID}-${requestCounter.toString(36)}`;
}

/**
 * What the onResponse hooks do for one route (`unmatched` for requests no route took): observe the duration
 * histogram and, except for health probes and scrapes, log one line. The histogram children are resolved once per
 * method and status, as label look-ups per request add up.
 */
function responseRecorder(route: string): (request: FastifyRequest, reply: FastifyReply) => void {
  const quiet = QUIET_ROUTES.test(route);
  const byMethod = new Map<string, Map<number, Histogram.Internal<'method' | 'route' | 'status'>>>();
  return (request, reply) => {
    const { method } = request;
    const status = reply.statusCode;
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let child = byStatus.get(status);
    if (!child) byStatus.set(status, (child = httpRequestDuration.labels({ method, route, status })));
    child.observe(reply.elapsedTime / 1000);
    if (!quiet && (request.log as Logger).isLevelEnabled('info')) {
      const line: Record<string, unknown> = { method, route, status, ms: Math.round(reply.elapsedTime) };
      if (status === 401 || status === 403 || status === 429) traceRefusal(request, status, line);
      request.log.info(line, 'request completed');
    }
  };
}

/**
 * Where a refused request came from, for tracing failed authentications and floods: the client's address and, for
 * 401/403, the first characters of the key it presented when it is in our format, where they are its public
 * keyPrefix (of anything else, such as a Basic password the queue dashboard put there, they would be a secret's).
 * Only on refusals, not on every line: the address is personal data, kept where it serves security, and with
 * TRUST_PROXY set request.ip parses X-Forwarded-For on each read, a cost every request would pay (bench/auth).
 */
function traceRefusal(request: FastifyRequest, status: number, line: Record<string, unknown>): void {
  line.ip = request.ip;
  const key = request.headers['x-api-key'];
  if (status !== 429 && typeof key === 'string' && key.startsWith(API_KEY_PREFIX)) line.keyPrefix = key.slice(0, KEY_PREFIX_LENGTH);
}

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

const ACCEPTS_ANY_BODY = 'acceptsAnyBody';

/**
 * Marks a route that takes a body of any content type as its exact bytes, in `request.rawBody`: providers' callbacks,
 * verified over those bytes, come as JSON, forms, XML, plain text or multipart. Every other route still answers 415
 * to a body that is neither JSON nor a form.
 */
export const AcceptsAnyBody = (): MethodDecorator => RouteConfig({ [ACCEPTS_ANY_BODY]: true });

function acceptsAnyBody(request: FastifyRequest): boolean {
  return (request.routeOptions.config as unknown as Record<string, unknown>)[ACCEPTS_ANY_BODY] === true;
}

/**
 * A JSON body, parsed with the prototype-poisoning checks Fastify's own parser makes, or a 400 that names `body` and
 * says what is wrong. Fastify's parser said only "not valid JSON", and Nest passes its errors on without their
 * code. V8's own words are passed on only with a position: for an unexpected token they quote the body, which may
 * hold a credential.
 */
function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw malformedBody('is empty: send a JSON object, or no Content-Type header');
  try {
    return parseJsonSecurely(body, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (message.includes('forbidden prototype property')) throw malformedBody('holds a "__proto__" key, or a "constructor" key holding "prototype": neither is accepted');
    if (message.startsWith('Unexpected end of JSON input')) throw malformedBody('is not valid JSON: it ends before its value does');
    const position = /at position (\d+)/.exec(message)?.[1];
    throw malformedBody(position === undefined ? 'is not valid JSON' : `is not valid JSON from character ${position} on (counting from 0)`);
  }
}

function malformedBody(message: string): CommonError {
  return CommonError.onField(CommonErrorCode.MalformedJson, 'body', message);
}

/** A form as an object (a repeated name gives a list), without a prototype, so no field can reach one. */
function parseForm(body: Buffer): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    const earlier = form[name];
    form[name] = earlier === undefined ? value : Array.isArray(earlier) ? [...earlier, value] : [earlier, value];
  }
  return form;
}

/**
 * How far past its route's limit a declared body is read off before the 413 (drainOversizedBody), and at most: a
 * client that overshoots does so by a little, and reading any more for anyone, before the key is even checked,
 * would only hand out bandwidth.
 */
const DRAINED_BODY_LIMIT_FACTOR = 8;
const DRAINED_BODY_MAX_BYTES = 32 * 1024 * 1024;

/**
 * A body declared larger than its route accepts is read to its end and dropped before the 413, as Express's
 * body-parser does. Fastify answers at once and closes the connection, and a client still sending (Node's fetch, so
 * the SDK, for anything over a few hundred kilobytes) saw the connection break (EPIPE) instead of the 413 problem.
 * Past the drain's own limit the connection is closed as before. A client that gives up mid-way gets the 400
 * Fastify gives a broken body (not a 500 logged as ours).
 */
function drainOversizedBody(bodyLimit: number): preParsingHookHandler {
  const drainLimit = Math.min(bodyLimit * DRAINED_BODY_LIMIT_FACTOR, DRAINED_BODY_MAX_BYTES);
  return (request, _, payload, done) => {
    const declared = Number(request.headers['content-length']);
    if (!(declared > bodyLimit) || declared > drainLimit) return done(null, payload);
    const finish = (error: Error): void => {
      payload.removeListener('error', broken).removeListener('end', drained);
      done(error);
    };
    const broken = (error: Error): void => finish(Object.assign(error, { statusCode: 400 }));
    const drained = (): void => finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    payload.once('error', broken).once('end', drained).resume();
  };
}

/**
 * What Node's HTTP parser refuses never becomes a request, so neither Nest nor Fastify's routing sees it: a request
 * line and headers over `http.maxHeaderSize` (a URL over about 16 KB), bytes that are not HTTP, headers not sent in
 * time. Fastify answered those in a JSON shape of its own; they get problem+json with the security headers, as
 * every other failure, without a request id (there is no request), and the connection closes as Fastify's does.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, `The request line and headers are longer than the ${maxHeaderSize} bytes this server reads`]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request headers did not arrive in time']
        : [400, 'The request is not well-formed HTTP'];
  const body = JSON.stringify(buildProblem(status, `http.${status}`, detail));
  const headers = { ...API_SECURITY_HEADERS, 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), Connection: 'close' };
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
  socket.destroy(error);
}

/**
 * Fastify's own options: body limit, proxies, and a request id taken from `X-Request-Id` or made up; and for Nest's
 * adapter, no @fastify/middie. It only runs Nest middleware (MiddlewareConsumer, app.use), which the service has
 * none of, yet its hook ran on every request. A module that configures middleware fails at start-up without it.
 */
export function fastifyOptions(config: AppConfig, logger: Logger): FastifyServerOptions & { skipMiddie: boolean } {
  return {
    skipMiddie: true,
    loggerInstance: logger,
    childLoggerFactory: lazyRequestLogger,
    // One line per request, written by the onResponse hook below (which skips health probes and scrapes).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Fastify answers 414 to a path parameter over 100 characters, before any pipe: an external id of up to 300
    // characters (3 kB percent-encoded) could not be addressed, and an over-long id got no 400 naming it. No route
    // has a pattern-matched parameter for this limit to protect.
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    trustProxy: config.trustProxy,
    clientErrorHandler: answerClientError,
    // Requests Fastify refuses before routing (a malformed percent-escape, a path parameter over its length
    // limit) get the same problem+json, request id and security headers as every other answer, not Fastify's
    // plain JSON.
    frameworkErrors: (error, request, reply) => {
      void reply.headers(API_SECURITY_HEADERS).header('X-Request-Id', request.id);
      sendProblem(reply, request, toProblem(error));
    },
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : nextRequestId();
    },
  };
}

/** Security headers, CORS, validation, problem+json for every failure, request ids and HTTP metrics. */
export async function configureHttp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  // The body parsers (Nest's own are off: bodyParser: false). A route marked @AcceptsAnyBody() gets any body as its
  // exact bytes, unparsed, in request.rawBody: a provider's callback is verified over them, and JSON is parsed only
  // after that, so a signed JSON body whose data holds a "__proto__" key (Stripe metadata, a GitHub
  // client_payload) is not refused before anyone checked who sent it. Every other route takes JSON, parsed with
  // Fastify's prototype-poisoning checks, and forms; any other content type is a 415 (Fastify's text/plain parser
  // goes too: it would hand those routes a string their DTOs refuse as a 400).
  type BufferParser = (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) => void;
  const parser = (elsewhere: BufferParser) => (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => {
    if (!acceptsAnyBody(request)) return elsewhere(request, body as Buffer, done);
    (request as FastifyRequest & { rawBody?: Buffer }).rawBody = body as Buffer;
    done(null, body);
  };
  fastify.removeContentTypeParser('text/plain');
  // A parser's error is a domain error, so the filter answers with its code and field: Nest would hand Fastify's own
  // errors on with their status and message only.
  const parsed = (parse: (body: Buffer) => unknown): BufferParser => (_, body, done) => {
    let value: unknown;
    try {
      value = parse(body);
    } catch (error) {
      return done(error as Error);
    }
    done(null, value);
  };
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser(parsed(parseJsonBody)));
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, parser(parsed(parseForm)));
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, parser((_, __, done) => done(unsupportedMediaType())));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(request.url.startsWith('/docs') ? DOCS_SECURITY_HEADERS : API_SECURITY_HEADERS).header('X-Request-Id', request.id);
    done();
  });
  // Each route gets its own onResponse hook that knows its route label, rather than one global hook that would
  // read request.routeOptions (an object Fastify builds on every access) and look its series up by a string
  // made per request. The global hook only takes the requests no route matched.
  fastify.addHook('onRoute', (route) => {
    const record = responseRecorder(route.url);
    const hook: onResponseHookHandler = (request, reply, done) => {
      record(request, reply);
      done();
    };
    route.onResponse = [...(route.onResponse ? [route.onResponse].flat() : []), hook];
    // Only where a body may come: a hook of every route would run on every GET too.
    if ([route.method].flat().some((method) => method !== 'GET' && method !== 'HEAD')) {
      route.preParsing = [...(route.preParsing ? [route.preParsing].flat() : []), drainOversizedBody(route.bodyLimit ?? config.bodyLimitBytes)];
    }
  });
  const recordUnmatched = responseRecorder('unmatched');
  fastify.addHook('onResponse', (request, reply, done) => {
    if (request.is404) recordUnmatched(request, reply);
    done();
  });
  // After the onRoute hook, so that the routes the CORS plugin adds (preflight) are measured too.
  if (config.corsOrigins.length) {
    // @fastify/cors allows only GET, HEAD and POST unless told; the API also updates, patches and deletes.
    await app.register(cors, { origin: config.corsOrigins.includes('*') ? true : config.corsOrigins, methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] });
  }
}
