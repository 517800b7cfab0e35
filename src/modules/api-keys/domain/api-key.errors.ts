import { DomainError, ErrorKind } from '../../../common/errors/domain-error';

export enum ApiKeyErrorCode {
  NotFound = 'api_key.not_found',
  LimitReached = 'api_key.limit_reached',
  ScopeEscalation = 'api_key.scope_escalation',
  ScopesExpanded = 'api_key.scopes_expanded',
  Revoked = 'api_key.revoked',
  AlreadyRotated = 'api_key.already_rotated',
  ExpiryInPast = 'api_key.expiry_in_past',
  Expired = 'api_key.expired',
  BootstrapKeyImmutable = 'api_key.bootstrap_key_immutable',
}

const KINDS: Record<ApiKeyErrorCode, ErrorKind> = {
  [ApiKeyErrorCode.NotFound]: ErrorKind.NotFound,
  [ApiKeyErrorCode.LimitReached]: ErrorKind.Conflict,
  [ApiKeyErrorCode.ScopeEscalation]: ErrorKind.Forbidden,
  [ApiKeyErrorCode.ScopesExpanded]: ErrorKind.Unprocessable,
  [ApiKeyErrorCode.Revoked]: ErrorKind.Conflict,
  [ApiKeyErrorCode.AlreadyRotated]: ErrorKind.Conflict,
  [ApiKeyErrorCode.ExpiryInPast]: ErrorKind.Invalid,
  [ApiKeyErrorCode.Expired]: ErrorKind.Conflict,
  [ApiKeyErrorCode.BootstrapKeyImmutable]: ErrorKind.Conflict,
};

export class ApiKeyError extends DomainError {
  constructor(code: ApiKeyErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(code, KINDS[code], message, extensions);
  }
}
