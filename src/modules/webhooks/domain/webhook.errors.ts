import { DomainError, ErrorKind, FieldError } from '../../../common/errors/domain-error';

export enum WebhookErrorCode {
  NotFound = 'webhook.not_found',
  DeliveryNotFound = 'webhook.delivery_not_found',
  LimitReached = 'webhook.limit_reached',
  UnknownEventType = 'webhook.unknown_event_type',
  VerificationFailed = 'webhook.verification_failed',
  Disabled = 'webhook.disabled',
  DeliveryInProgress = 'webhook.delivery_in_progress',
  RotationInProgress = 'webhook.rotation_in_progress',
  EventTypeExists = 'event.type_exists',
  EventTypeReserved = 'event.type_reserved',
  InvalidSchema = 'event.invalid_schema',
  DataDoesNotMatchSchema = 'event.data_does_not_match_schema',
  PayloadTooLarge = 'event.payload_too_large',
  UnstorableData = 'event.unstorable_data',
}

const KINDS: Record<WebhookErrorCode, ErrorKind> = {
  [WebhookErrorCode.NotFound]: ErrorKind.NotFound,
  [WebhookErrorCode.DeliveryNotFound]: ErrorKind.NotFound,
  [WebhookErrorCode.LimitReached]: ErrorKind.Conflict,
  [WebhookErrorCode.UnknownEventType]: ErrorKind.Unprocessable,
  [WebhookErrorCode.VerificationFailed]: ErrorKind.Unprocessable,
  [WebhookErrorCode.Disabled]: ErrorKind.Conflict,
  [WebhookErrorCode.DeliveryInProgress]: ErrorKind.Conflict,
  [WebhookErrorCode.RotationInProgress]: ErrorKind.Conflict,
  [WebhookErrorCode.EventTypeExists]: ErrorKind.Conflict,
  [WebhookErrorCode.EventTypeReserved]: ErrorKind.Unprocessable,
  [WebhookErrorCode.InvalidSchema]: ErrorKind.Unprocessable,
  [WebhookErrorCode.DataDoesNotMatchSchema]: ErrorKind.Unprocessable,
  [WebhookErrorCode.PayloadTooLarge]: ErrorKind.PayloadTooLarge,
  [WebhookErrorCode.UnstorableData]: ErrorKind.Unprocessable,
};

/** Errors of webhooks and the events API. Field problems carry `errors` naming the field, as validation does. */
export class WebhookError extends DomainError {
  constructor(code: WebhookErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(code, KINDS[code], message, extensions);
  }

  static onField(code: WebhookErrorCode, field: string, messages: string[]): WebhookError {
    const errors: FieldError[] = [{ field, messages }];
    return new WebhookError(code, `${field}: ${messages.join('; ')}`, { errors });
  }
}
