import { eventClassOf, registeredEventNames } from '../../../common/events/domain-event';

/**
 * Events about deliveries themselves cannot be subscribed to: a webhook subscribed to WebhookSent would get a
 * delivery for its own delivery, and so on without end.
 */
const DELIVERY_OUTCOME_EVENTS = new Set(['WebhookSent', 'WebhookDeliveryFailed']);

/** The type of POST /api/webhooks/{id}/test deliveries, and of the request that verifies a new endpoint. */
export const TEST_EVENT_TYPE = 'WebhookTest';
export const VERIFICATION_EVENT_TYPE = 'WebhookVerification';

/** The built-in event types a webhook can subscribe to: every domain event this service raises. */
export function subscribableDomainEventNames(): string[] {
  return registeredEventNames().filter((name) => !isDeliveryOutcomeEvent(name));
}

/** True for the events deliveries raise about themselves, which no webhook can subscribe to. */
export function isDeliveryOutcomeEvent(name: string): boolean {
  return DELIVERY_OUTCOME_EVENTS.has(name);
}

/** Names a tenant cannot register or publish: this service's own events and the special types above. */
export function isReservedEventName(name: string): boolean {
  return eventClassOf(name) !== undefined || name === TEST_EVENT_TYPE || name === VERIFICATION_EVENT_TYPE;
}
