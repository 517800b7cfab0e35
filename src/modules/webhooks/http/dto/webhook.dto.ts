import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsObject, IsString, Length, ValidateBy, ValidateNested } from 'class-validator';
import { DateTimeField, EnumField, IntField, StringField, UuidField, BooleanField, fieldDoc, StorableText } from '../../../../common/http/fields';
import { iso } from '../../../../common/http/iso';
import { PageOf, PageQueryDto } from '../../../../common/http/pagination';
import { DELIVERY_STATUSES, DeliveryStatus, DUE_STATUSES } from '../../domain/delivery-policy';
import type { Webhook } from '../../domain/webhook.entity';
import { isWebhookSecret } from '../../domain/webhook-signature';
import type { WebhookDelivery } from '../../domain/webhook-delivery.entity';
import type { WebhookDeliveryAttempt } from '../../domain/webhook-delivery-attempt.entity';

/** Event type names as subscribed: at least one, each named; whether each is known is checked by the catalog (422). */
function EventTypesField(options: { optional?: boolean; nullable?: boolean } = {}) {
  const doc = { type: String, isArray: true, minItems: 1, maxItems: 100, uniqueItems: true, example: ['BookingConfirmed', 'APIKeyRevoked'], description: 'Event types to receive: see GET /api/events/types' };
  return applyDecorators(
    ...fieldDoc({ ...doc, ...options }),
    ArrayMinSize(1),
    ArrayMaxSize(100),
    ArrayUnique(),
    IsString({ each: true }),
    Length(1, 100, { each: true }),
    StorableText({ each: true }),
  );
}

function RetryPolicyField(options: { nullable?: boolean } = {}) {
  return applyDecorators(...fieldDoc({ type: () => RetryPolicyDto, optional: true, ...options }), IsObject(), ValidateNested(), Type(() => RetryPolicyDto));
}

/** Absent fields take the default on creation and stay as they are on update; null is refused (NOT NULL columns). */
export class RetryPolicyDto {
  @IntField({ minimum: 0, maximum: 10, optional: true, nullable: false, example: 5, description: 'Retries after the first attempt (BR-WH-03); default 5' })
  maxRetries?: number;

  @IntField({ minimum: 1, maximum: 10, optional: true, nullable: false, example: 2, description: 'Each retry waits this many times longer than the one before; the first waits 1 minute. Default 2' })
  backoffMultiplier?: number;
}

export class CreateWebhookDto {
  @StringField({ maxLength: 500, format: 'uri', example: 'https://example.com/webhooks/events', description: 'HTTPS URL that receives the events (BR-WH-01)' })
  url: string;

  @StringField({ maxLength: 500, optional: true, example: 'Bookings to the CRM' })
  description?: string;

  @EventTypesField()
  eventTypes: string[];

  @RetryPolicyField()
  retryPolicy?: RetryPolicyDto;

  @IntField({ minimum: 5, maximum: 300, optional: true, example: 30, description: 'Seconds a delivery waits for an answer; default 30' })
  timeoutSeconds?: number;

  @UuidField({ optional: true, description: 'The integration this webhook belongs to, if any' })
  integrationId?: string;

  @WebhookSecretField()
  secret?: string;
}

/** An optional signing secret a caller chooses; null is refused, as any value that is not one. */
function WebhookSecretField() {
  return applyDecorators(
    ...fieldDoc({
      optional: true,
      nullable: false,
      type: String,
      description:
        'The signing secret, if you choose it: whsec_ and the base64 of 24 to 64 random bytes. A receiver that holds it can verify the verification request sent before the webhook exists. Made for you when absent; either way, readable later only through GET /api/webhooks/{id}/secret.',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      pattern: '^whsec_[A-Za-z0-9+/]{32,88}={0,2}$',
    }),
    ValidateBy({
      name: 'webhookSecret',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isWebhookSecret(value),
        defaultMessage: () => 'secret must be whsec_ followed by the base64 of 24 to 64 random bytes',
      },
    }),
  );
}

/** A partial update: absent fields stay as they are; null is refused except where it empties an optional field. */
export class UpdateWebhookDto {
  @StringField({ maxLength: 500, format: 'uri', optional: true, nullable: false, example: 'https://example.com/webhooks/v2' })
  url?: string;

  @StringField({ maxLength: 500, optional: true, nullable: true, description: 'null removes the description' })
  description?: string | null;

  @EventTypesField({ optional: true, nullable: false })
  eventTypes?: string[];

  @RetryPolicyField({ nullable: false })
  retryPolicy?: RetryPolicyDto;

  @IntField({ minimum: 5, maximum: 300, optional: true, nullable: false, example: 30 })
  timeoutSeconds?: number;

  @BooleanField({ optional: true, nullable: false, description: 'false disables the webhook (WebhookDisabled); true enables it again' })
  isActive?: boolean;
}

export const UPDATE_WEBHOOK_FIELDS = ['url', 'description', 'eventTypes', 'retryPolicy', 'timeoutSeconds', 'isActive'] as const;

export class RotateWebhookSecretDto {
  @IntField({
    minimum: 0,
    maximum: 30 * 24 * 3600,
    optional: true,
    example: 86400,
    description: 'Seconds the old secret keeps signing beside the new one; 0 drops it now. Default WEBHOOK_SECRET_ROTATION_GRACE_SECONDS (24 h)',
  })
  gracePeriodSeconds?: number;
}

export class RecoverWebhookDto {
  @DateTimeField({ example: '2026-11-23T08:00:00Z', description: 'Failed and expired deliveries scheduled since then are sent again' })
  since: Date;
}

export class ListWebhookDeliveriesQueryDto extends PageQueryDto {
  @EnumField(DELIVERY_STATUSES, { enumName: 'DeliveryStatus', optional: true })
  status?: DeliveryStatus;

  @StringField({ maxLength: 100, optional: true, example: 'BookingConfirmed' })
  eventType?: string;

  @DateTimeField({ optional: true, description: 'Scheduled at or after' })
  from?: Date;

  @DateTimeField({ optional: true, description: 'Scheduled before' })
  to?: Date;
}

export class RetryPolicyViewDto {
  @ApiProperty({ type: 'integer', example: 5 }) maxRetries: number;
  @ApiProperty({ type: 'integer', example: 2 }) backoffMultiplier: number;
}

/** A webhook as every read shows it: never its secret (GET /{id}/secret is the one way to it). */
export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) integrationId: string | null;
  @ApiProperty({ example: 'https://example.com/webhooks/events' }) url: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, isArray: true }) eventTypes: string[];
  @ApiProperty() isActive: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: string | null;
  @ApiProperty({ type: String, nullable: true }) disabledReason: string | null;
  @ApiProperty({ type: RetryPolicyViewDto }) retryPolicy: RetryPolicyViewDto;
  @ApiProperty({ type: 'integer' }) maxRetries: number;
  @ApiProperty({ type: 'integer' }) timeoutSeconds: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastTriggeredAt: string | null;
  @ApiProperty({ type: 'integer', description: 'Deliveries delivered' }) successCount: number;
  @ApiProperty({ type: 'integer', description: 'Deliveries failed or expired for good' }) failureCount: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Since when every attempt has failed' }) failingSince: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Until when the previous secret also signs' }) previousSecretExpiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) modifiedAt: string | null;

  static from(webhook: Webhook): WebhookDto {
    return {
      id: webhook.id,
      tenantId: webhook.tenantId,
      integrationId: webhook.integrationId,
      url: webhook.url,
      description: webhook.description,
      eventTypes: webhook.eventTypes,
      isActive: webhook.isActive,
      disabledAt: iso(webhook.disabledAt),
      disabledReason: webhook.disabledReason,
      retryPolicy: { maxRetries: webhook.maxRetries, backoffMultiplier: webhook.backoffMultiplier },
      maxRetries: webhook.maxRetries,
      timeoutSeconds: webhook.timeoutSeconds,
      lastTriggeredAt: iso(webhook.lastTriggeredAt),
      successCount: Number(webhook.successCount),
      failureCount: Number(webhook.failureCount),
      failingSince: iso(webhook.failingSince),
      previousSecretExpiresAt: webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > new Date() ? iso(webhook.previousSecretExpiresAt) : null,
      createdAt: webhook.createdAt.toISOString(),
      createdBy: webhook.createdBy,
      modifiedAt: iso(webhook.modifiedAt),
    };
  }
}

export class WebhookSecretDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Verify deliveries with it (any Standard Webhooks library)' })
  secret: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'After a rotation: until when the previous secret also signs' })
  previousSecretExpiresAt: string | null;
}

export class WebhookHealthDto {
  @ApiProperty({ type: 'integer' }) attemptsLastHour: number;
  @ApiProperty({ type: 'integer' }) failedLastHour: number;
  @ApiProperty({ example: 12.5, description: 'Percent of the last hour’s attempts that failed' }) failureRatePercent: number;
  @ApiProperty({ description: 'Above WEBHOOK_FAILURE_RATE_ALERT_PERCENT (20%) as of the last sweep' }) alerting: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) failingSince: string | null;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ type: String, nullable: true }) disabledReason: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) webhookId: string;
  @ApiProperty({ format: 'uuid', description: 'The event; sent as the webhook-id header, the same on every retry' }) eventId: string;
  @ApiProperty({ example: 'BookingConfirmed' }) eventType: string;
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    enumName: 'DeliveryStatus',
    description:
      'Pending or Retrying until an attempt is recorded, then Delivered, Retrying, Failed or Expired. Sending is in the enum for ' +
      "the spec's sake but never stored: an attempt in flight reads as Pending or Retrying (marking it would cost a write per attempt)",
  })
  status: DeliveryStatus;
  @ApiProperty({ type: 'integer' }) attemptCount: number;
  @ApiProperty({ type: 'integer', nullable: true }) httpStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'The last answer, cut at 4 KB' }) responseBody: string | null;
  @ApiProperty({ type: String, nullable: true }) errorMessage: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) scheduledAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) expiresAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextRetryAt: string | null;

  static from(delivery: WebhookDelivery): WebhookDeliveryDto {
    return {
      id: delivery.id,
      webhookId: delivery.webhookId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      status: delivery.status,
      attemptCount: delivery.attemptCount,
      httpStatusCode: delivery.httpStatusCode,
      responseBody: delivery.responseBody,
      errorMessage: delivery.errorMessage,
      scheduledAt: delivery.scheduledAt.toISOString(),
      expiresAt: delivery.expiresAt.toISOString(),
      lastAttemptAt: iso(delivery.lastAttemptAt),
      deliveredAt: iso(delivery.deliveredAt),
      nextRetryAt: DUE_STATUSES.includes(delivery.status) ? iso(delivery.nextRetryAt) : null,
    };
  }
}


export class DeliveryAttemptDto {
  @ApiProperty({ type: 'integer' }) attemptNumber: number;
  @ApiProperty({ type: String, format: 'date-time' }) attemptedAt: string;
  @ApiProperty({ type: 'integer' }) durationMs: number;
  @ApiProperty({ type: 'integer', nullable: true }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) responseBody: string | null;
  @ApiProperty({ type: String, nullable: true }) errorMessage: string | null;
  @ApiProperty() succeeded: boolean;

  static from(attempt: WebhookDeliveryAttempt): DeliveryAttemptDto {
    return {
      attemptNumber: attempt.attemptNumber,
      attemptedAt: attempt.attemptedAt.toISOString(),
      durationMs: attempt.durationMs,
      statusCode: attempt.statusCode,
      responseBody: attempt.responseBody,
      errorMessage: attempt.errorMessage,
      succeeded: attempt.succeeded,
    };
  }
}

export class WebhookDeliveryDetailDto extends WebhookDeliveryDto {
  @ApiProperty({ description: 'The body exactly as signed and sent' }) payload: string;
  @ApiProperty({ type: DeliveryAttemptDto, isArray: true }) attempts: DeliveryAttemptDto[];
}

export class RecoveredDeliveriesDto {
  @ApiProperty({ type: 'integer', description: 'Deliveries queued again' }) requeued: number;
}

export const WebhookPageDto = PageOf(WebhookDto, 'WebhookPage');
export const WebhookDeliveryPageDto = PageOf(WebhookDeliveryDto, 'WebhookDeliveryPage');
