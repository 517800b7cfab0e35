import type { Type } from '@nestjs/common';

/**
 * A fact that happened to an aggregate. Events travel through the outbox as JSON, so they hold plain data and
 * never a secret; `tenantId` routes them (webhook fan-out, audit), `aggregateId` says what they are about.
 */
export interface DomainEvent {
  readonly tenantId: string | null;
  readonly aggregateId: string;
}

export interface EventTypeOptions {
  /** What the audit trail calls the resource, e.g. `api_key`. */
  resource: string;
}

interface RegisteredEvent extends EventTypeOptions {
  name: string;
  type: Type<DomainEvent>;
}

const byClass = new Map<Type<DomainEvent>, RegisteredEvent>();
const byName = new Map<string, RegisteredEvent>();

/** Names an event class on the wire (`APIKeyGenerated`, as in spec §3) and registers it for revival. */
export function EventType(name: string, options: EventTypeOptions): ClassDecorator {
  return (target) => {
    const entry = { name, type: target as unknown as Type<DomainEvent>, ...options };
    byClass.set(entry.type, entry);
    byName.set(name, entry);
  };
}

export function describeEvent(event: DomainEvent): RegisteredEvent {
  const entry = byClass.get(event.constructor as Type<DomainEvent>);
  if (!entry) throw new Error(`${event.constructor.name} has no @EventType`);
  return entry;
}

export function eventClassOf(name: string): Type<DomainEvent> | undefined {
  return byName.get(name)?.type;
}

/** Every event type this service raises, for the events catalog. */
export function registeredEventNames(): string[] {
  return [...byName.keys()].sort();
}

/** Rebuilds an event instance from its outbox JSON, so reactions can use `instanceof` and typed fields. */
export function reviveEvent(name: string, payload: Record<string, unknown>): DomainEvent {
  const type = eventClassOf(name);
  if (!type) throw new Error(`Unknown event type ${name}`);
  return Object.assign(Object.create(type.prototype as object) as DomainEvent, payload);
}

/** What a reaction learns beside the event itself. */
export interface EventEnvelope {
  /** The outbox message id: the same on every redelivery, so reactions deduplicate on it. */
  eventId: string;
  eventType: string;
  tenantId: string | null;
  occurredAt: string;
}
