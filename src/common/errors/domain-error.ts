/**
 * What kind of failure a domain error is. Modules name their own codes; the kind alone decides the HTTP
 * status, in one exhaustive table (problem-details.filter.ts), so a new code cannot go unmapped.
 */
export enum ErrorKind {
  Invalid = 'invalid',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  Unprocessable = 'unprocessable',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  RateLimited = 'rate_limited',
  Unavailable = 'unavailable',
}

/** Base of every module's error class. The message is safe to show a caller: it never holds a secret. */
export abstract class DomainError extends Error {
  protected constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    /** Extra problem+json members, e.g. `{ nextAllowedAt }`. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export enum CommonErrorCode {
  NotFound = 'not_found',
  ValidationFailed = 'validation_failed',
  MalformedJson = 'malformed_json',
  UnsupportedMediaType = 'unsupported_media_type',
  MissingApiKey = 'auth.missing_api_key',
  InvalidApiKey = 'auth.invalid_api_key',
  ExpiredApiKey = 'auth.expired_api_key',
  MissingScope = 'auth.missing_scope',
  RateLimited = 'auth.rate_limited',
  NotReady = 'health.not_ready',
}

const COMMON_KINDS: Record<CommonErrorCode, ErrorKind> = {
  [CommonErrorCode.NotFound]: ErrorKind.NotFound,
  [CommonErrorCode.ValidationFailed]: ErrorKind.Invalid,
  [CommonErrorCode.MalformedJson]: ErrorKind.Invalid,
  [CommonErrorCode.UnsupportedMediaType]: ErrorKind.UnsupportedMediaType,
  [CommonErrorCode.MissingApiKey]: ErrorKind.Unauthenticated,
  [CommonErrorCode.InvalidApiKey]: ErrorKind.Unauthenticated,
  [CommonErrorCode.ExpiredApiKey]: ErrorKind.Unauthenticated,
  [CommonErrorCode.MissingScope]: ErrorKind.Forbidden,
  [CommonErrorCode.RateLimited]: ErrorKind.RateLimited,
  [CommonErrorCode.NotReady]: ErrorKind.Unavailable,
};

export interface FieldError {
  /** Dotted path of the offending field, e.g. `scopes` or `retryPolicy.maxRetries`. */
  field: string;
  messages: string[];
}

/** The detail and `errors` of a refusal that blames one field: the detail starts with its name, `errors` lists it alone. */
export function blamingField(field: string, message: string): [detail: string, extensions: { errors: FieldError[] }] {
  return [`${field}: ${message}`, { errors: [{ field, messages: [message] }] }];
}

/** Errors shared by every module: authentication, validation, a missing resource. */
export class CommonError extends DomainError {
  constructor(code: CommonErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(code, COMMON_KINDS[code], message, extensions);
  }

  static notFound(resource: string): CommonError {
    return new CommonError(CommonErrorCode.NotFound, `${resource} not found`);
  }

  static onField(code: CommonErrorCode, field: string, message: string): CommonError {
    return new CommonError(code, ...blamingField(field, message));
  }

  static validation(errors: FieldError[]): CommonError {
    const fields = errors.map((e) => e.field).join(', ');
    return new CommonError(CommonErrorCode.ValidationFailed, `Invalid request: ${fields}`, { errors });
  }
}
