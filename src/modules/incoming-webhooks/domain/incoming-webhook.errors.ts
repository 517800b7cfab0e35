import { DomainError, ErrorKind } from '../../../common/errors/domain-error';
import type { RejectionReason } from './verification/verification';

export enum IncomingWebhookErrorCode {
  /** Unknown, disabled, disconnected, or not set up to receive: one answer, so nothing is revealed. */
  NotFound = 'incoming_webhook.not_found',
  SignatureRejected = 'incoming_webhook.signature_rejected',
  SourceNotAllowed = 'incoming_webhook.source_not_allowed',
  PayloadTooLarge = 'incoming_webhook.payload_too_large',
  MalformedPayload = 'incoming_webhook.malformed_payload',
}

const KINDS: Record<IncomingWebhookErrorCode, ErrorKind> = {
  [IncomingWebhookErrorCode.NotFound]: ErrorKind.NotFound,
  [IncomingWebhookErrorCode.SignatureRejected]: ErrorKind.Unauthenticated,
  [IncomingWebhookErrorCode.SourceNotAllowed]: ErrorKind.Forbidden,
  [IncomingWebhookErrorCode.PayloadTooLarge]: ErrorKind.PayloadTooLarge,
  [IncomingWebhookErrorCode.MalformedPayload]: ErrorKind.Invalid,
};

const REJECTION_DETAIL: Record<RejectionReason, string> = {
  missing_signature: 'The request carries no signature',
  malformed_signature: 'The signature header is malformed',
  bad_signature: 'The signature does not match',
  stale_timestamp: 'The signed timestamp is outside the tolerance',
};

export class IncomingWebhookError extends DomainError {
  constructor(code: IncomingWebhookErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(code, KINDS[code], message, extensions);
  }

  static rejected(reason: RejectionReason): IncomingWebhookError {
    return new IncomingWebhookError(IncomingWebhookErrorCode.SignatureRejected, REJECTION_DETAIL[reason], { reason });
  }
}
