import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loggableError } from '../database/statement-failure';
import { blamingField, CommonError, CommonErrorCode, DomainError, ErrorKind } from '../errors/domain-error';

/** RFC 9457 problem details, the one shape every failure of this API takes. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  [ErrorKind.Invalid]: HttpStatus.BAD_REQUEST,
  [ErrorKind.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorKind.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorKind.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorKind.Conflict]: HttpStatus.CONFLICT,
  [ErrorKind.Unprocessable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorKind.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorKind.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorKind.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorKind.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:integration-hub:problem:${code}`;
}

export function buildProblem(status: number, code: string, detail: string, extensions: Record<string, unknown> = {}): ProblemDetails {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, code, ...extensions };
}

/** Turns anything thrown (domain errors, Nest HTTP exceptions, Fastify errors, bugs) into problem+json. */
export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof DomainError) {
    return buildProblem(STATUS_OF_KIND[error.kind], error.code, error.message, error.extensions);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const detail = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? error.message);
    return buildProblem(status, `http.${status}`, detail);
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return buildProblem(fastifyError.statusCode, fastifyCode(fastifyError.code, fastifyError.statusCode), fastifyDetail(fastifyError));
  }
  return buildProblem(500, 'internal', 'An unexpected error occurred. The request id in this answer finds it in the logs.');
}

function fastifyCode(code: string | undefined, status: number): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'payload_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    default:
      return `http.${status}`;
  }
}

function fastifyDetail(error: { code?: string; message?: string }): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'The request body is larger than this server accepts';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'The request body must be application/json';
  // Fastify's own messages quote nothing of the request; a parser's may (V8's JSON.parse quotes the text it read).
  return error.code?.startsWith('FST_') && error.message ? error.message : 'Bad request';
}

/** What a route says about a body over the server's limit (BODY_LIMIT_BYTES): the field to blame, and its code. */
interface OversizedBodyRouteConfig {
  oversizedBody?: { field: string; code: string };
}

/**
 * For a route whose body is mostly one field (POST /api/events: `data`): Fastify refuses a body over the server's
 * limit before the handler can check that field's own limit. The route declares the field and the code of its own
 * limit, so a client gets one answer for "too large", whichever limit caught it. Route configuration rather than a
 * list of paths here: the route carries its rule, and the filter stays generic.
 */
export const OversizedBodyIs = (field: string, code: string): MethodDecorator => RouteConfig({ oversizedBody: { field, code } } satisfies OversizedBodyRouteConfig);

/** A body of a type no parser of this API takes (application/json and forms only, but on provider callbacks). */
export function unsupportedMediaType(): CommonError {
  return CommonError.onField(CommonErrorCode.UnsupportedMediaType, 'content-type', 'must be application/json (or application/x-www-form-urlencoded) for a body');
}

/** A Content-Type header Fastify cannot read at all, on any route (provider callbacks included). */
function unreadableMediaType(): CommonError {
  return CommonError.onField(CommonErrorCode.UnsupportedMediaType, 'content-type', 'is not a media type (type/subtype, then parameters)');
}

/**
 * Fastify refuses some requests before any handler, and Nest hands those refusals on as a bare HttpException with
 * their status and message only, naming nothing. A 413 or 415 that is no domain error of a handler's is one of them
 * (FST_ERR_CTP_BODY_TOO_LARGE; FST_ERR_CTP_INVALID_MEDIA_TYPE for a Content-Type header that does not parse): it
 * gets the field to blame and a code, for a 413 the field and code its route declared with @OversizedBodyIs.
 */
function nameFastifyRefusal(problem: ProblemDetails, exception: unknown, request: FastifyRequest): ProblemDetails {
  if (exception instanceof DomainError) return problem;
  // Our parsers answer every type they do not take with a domain error (unsupportedMediaType): Fastify's own 415
  // is a header it could not parse.
  if (problem.status === HttpStatus.UNSUPPORTED_MEDIA_TYPE) return toProblem(unreadableMediaType());
  if (problem.status !== HttpStatus.PAYLOAD_TOO_LARGE) return problem;
  const blamed = (request.routeOptions.config as OversizedBodyRouteConfig | undefined)?.oversizedBody ?? { field: 'body', code: 'payload_too_large' };
  const message = `the request body is larger than the ${request.routeOptions.bodyLimit} bytes this server accepts`;
  return buildProblem(problem.status, blamed.code, ...blamingField(blamed.field, message));
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemDetails): void {
  problem.instance = request.url.split('?')[0];
  problem.requestId = String(request.id);
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = nameFastifyRefusal(toProblem(exception), exception, request);
    if (problem.status >= 500) {
      this.logger.error({ err: loggableError(exception), requestId: request.id }, 'Unhandled error');
    }
    sendProblem(reply, request, problem);
  }
}
