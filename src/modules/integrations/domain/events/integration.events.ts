import { DomainEvent, EventType } from '../../../../common/events/domain-event';
import type { HealthStatus, IntegrationStatus, IntegrationType } from '../integration-types';

/**
 * Events of the Integration aggregate. The six of spec §3.1 are raised for their kinds; the others cover what
 * the spec asks to log and alert on (configuration changes, suspension, errors, health) for every kind.
 * None carries a configuration value: changes name the fields only.
 */

@EventType('IntegrationCreated', { resource: 'integration' })
export class IntegrationCreatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly name: string,
    readonly integrationType: IntegrationType,
    readonly provider: string,
    readonly configurationFields: string[],
    readonly createdBy: string | null,
  ) {}
}

@EventType('IntegrationUpdated', { resource: 'integration' })
export class IntegrationUpdatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    /** `name`, `isEnabled`, and `configuration.<field>` for each configuration field added, changed or removed. */
    readonly changedFields: string[],
    readonly status: IntegrationStatus,
    readonly modifiedBy: string | null,
  ) {}
}

@EventType('PaymentGatewayConnected', { resource: 'integration' })
export class PaymentGatewayConnectedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly provider: string,
    readonly configuredBy: string | null,
  ) {}
}

@EventType('PaymentGatewayDisconnected', { resource: 'integration' })
export class PaymentGatewayDisconnectedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly provider: string,
    readonly disconnectedBy: string | null,
    readonly reason: string,
  ) {}
}

@EventType('EmailServiceConnected', { resource: 'integration' })
export class EmailServiceConnectedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly provider: string,
    readonly configuredBy: string | null,
  ) {}
}

@EventType('SMSServiceConnected', { resource: 'integration' })
export class SmsServiceConnectedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly provider: string,
    readonly configuredBy: string | null,
  ) {}
}

@EventType('CalendarSyncEnabled', { resource: 'integration' })
export class CalendarSyncEnabledEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    /** The calendar provider, e.g. `GoogleCalendar`. */
    readonly calendarType: string,
    readonly enabledBy: string | null,
  ) {}
}

@EventType('CalendarSyncDisabled', { resource: 'integration' })
export class CalendarSyncDisabledEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly calendarType: string,
    readonly disabledBy: string | null,
    readonly reason: string,
  ) {}
}

/** Activation of a kind the spec has no event of its own for (CRM, custom API, analytics, storage). */
@EventType('IntegrationConnected', { resource: 'integration' })
export class IntegrationConnectedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationType: IntegrationType,
    readonly provider: string,
    readonly configuredBy: string | null,
  ) {}
}

/** Disconnection of a kind without a disconnect event of its own in §3.1. */
@EventType('IntegrationDisconnected', { resource: 'integration' })
export class IntegrationDisconnectedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationType: IntegrationType,
    readonly provider: string,
    readonly disconnectedBy: string | null,
    readonly reason: string,
  ) {}
}

/** §11.1: the provider refused the credentials; an admin must fix them. */
@EventType('IntegrationSuspended', { resource: 'integration' })
export class IntegrationSuspendedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationType: IntegrationType,
    readonly provider: string,
    readonly reason: string,
  ) {}
}

/** BR-IM-05: the integration entered the Error state and waits for a review. */
@EventType('IntegrationFailed', { resource: 'integration' })
export class IntegrationFailedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationType: IntegrationType,
    readonly provider: string,
    readonly reason: string,
  ) {}
}

/** BR-IM-05: someone reviewed an integration in Error and sent it back to Draft. */
@EventType('IntegrationReviewed', { resource: 'integration' })
export class IntegrationReviewedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly note: string,
    readonly reviewedBy: string | null,
  ) {}
}

/** BR-IM-04: the alert after N consecutive failed health checks. */
@EventType('IntegrationHealthDegraded', { resource: 'integration' })
export class IntegrationHealthDegradedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationType: IntegrationType,
    readonly provider: string,
    readonly healthStatus: HealthStatus,
    readonly consecutiveFailures: number,
    readonly lastError: string,
  ) {}
}

@EventType('IntegrationHealthRecovered', { resource: 'integration' })
export class IntegrationHealthRecoveredEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly provider: string,
    readonly failedChecks: number,
  ) {}
}

/** Which kinds of integration a tenant may have only one Active of (BR-IM-01). */
@EventType('IntegrationSettingsUpdated', { resource: 'integration_settings' })
export class IntegrationSettingsUpdatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly singleProviderTypes: IntegrationType[],
    readonly modifiedBy: string | null,
  ) {}
}
