import { DomainEvent, EventType } from '../../../../common/events/domain-event';

/** Events of webhook subscriptions (spec §3.4 and issue #6). Plain data: never a secret. */
@EventType('WebhookCreated', { resource: 'webhook' })
export class WebhookCreatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly url: string,
    readonly eventTypes: string[],
    readonly maxRetries: number,
    readonly timeoutSeconds: number,
    readonly createdBy: string | null,
  ) {}
}

@EventType('WebhookUpdated', { resource: 'webhook' })
export class WebhookUpdatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly changes: Record<string, unknown>,
    readonly modifiedBy: string | null,
  ) {}
}

@EventType('WebhookDeleted', { resource: 'webhook' })
export class WebhookDeletedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly url: string,
    readonly deletedBy: string | null,
  ) {}
}

@EventType('WebhookSecretRotated', { resource: 'webhook' })
export class WebhookSecretRotatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly previousSecretValidUntil: string | null,
    readonly rotatedBy: string | null,
  ) {}
}

/** The endpoint kept failing for the whole auto-disable span (or was switched off through the API). */
@EventType('WebhookDisabled', { resource: 'webhook' })
export class WebhookDisabledEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly reason: string,
    readonly failingSince: string | null,
    readonly disabledBy: string | null,
  ) {}
}

/** §12.3: more than the threshold of the last hour's attempts failed. Raised once per crossing. */
@EventType('WebhookFailureRateExceeded', { resource: 'webhook' })
export class WebhookFailureRateExceededEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly failureRatePercent: number,
    readonly attemptsLastHour: number,
    readonly thresholdPercent: number,
  ) {}
}

/** §3.4. `aggregateId` is the delivery. Written by the delivery worker in batches. */
@EventType('WebhookSent', { resource: 'webhook_delivery' })
export class WebhookSentEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly webhookId: string,
    readonly statusCode: number,
    readonly deliveredAt: string,
  ) {}
}

/** §3.4: one per failed attempt; `nextRetryAt` null means the delivery is over (Failed or Expired). */
@EventType('WebhookDeliveryFailed', { resource: 'webhook_delivery' })
export class WebhookDeliveryFailedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly webhookId: string,
    readonly attemptCount: number,
    readonly statusCode: number | null,
    readonly errorMessage: string,
    readonly nextRetryAt: string | null,
  ) {}
}

@EventType('EventTypeRegistered', { resource: 'event_type' })
export class EventTypeRegisteredEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly name: string,
    readonly description: string | null,
    readonly hasSchema: boolean,
    readonly registeredBy: string | null,
  ) {}
}
