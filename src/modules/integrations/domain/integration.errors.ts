import { DomainError, ErrorKind } from '../../../common/errors/domain-error';

export enum IntegrationErrorCode {
  NotFound = 'integration.not_found',
  OneActivePerType = 'integration.one_active_per_type',
  NeedsReview = 'integration.needs_review',
  Disconnected = 'integration.disconnected',
  InvalidTransition = 'integration.invalid_transition',
  NotOAuth = 'integration.not_oauth',
  AuthorizationRequired = 'integration.authorization_required',
  InvalidOAuthState = 'integration.invalid_oauth_state',
  OAuthRefused = 'integration.oauth_refused',
}

const KINDS: Record<IntegrationErrorCode, ErrorKind> = {
  [IntegrationErrorCode.NotFound]: ErrorKind.NotFound,
  [IntegrationErrorCode.OneActivePerType]: ErrorKind.Conflict,
  [IntegrationErrorCode.NeedsReview]: ErrorKind.Conflict,
  [IntegrationErrorCode.Disconnected]: ErrorKind.Conflict,
  [IntegrationErrorCode.InvalidTransition]: ErrorKind.Conflict,
  [IntegrationErrorCode.NotOAuth]: ErrorKind.Unprocessable,
  [IntegrationErrorCode.AuthorizationRequired]: ErrorKind.Conflict,
  [IntegrationErrorCode.InvalidOAuthState]: ErrorKind.Invalid,
  [IntegrationErrorCode.OAuthRefused]: ErrorKind.Unprocessable,
};

/** Messages name fields and rules, never a configuration value. */
export class IntegrationError extends DomainError {
  constructor(code: IntegrationErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(code, KINDS[code], message, extensions);
  }
}
