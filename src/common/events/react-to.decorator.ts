import { SetMetadata, Type } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent, EventEnvelope } from './domain-event';

export const REACT_TO = Symbol('REACT_TO');
export const REACT_TO_ALL = Symbol('REACT_TO_ALL');

/**
 * A durable reaction to a committed domain event. It runs in the worker, after the outbox relay handed the
 * event to Bull, and is retried until it succeeds; so it must be idempotent on `envelope.eventId`.
 */
export interface DomainEventReaction<E extends DomainEvent = DomainEvent> {
  react(event: E, envelope: EventEnvelope): Promise<void>;
}

/** Marks a provider as a reaction to the given event classes (the MediatR INotificationHandler). */
export const ReactTo = (...events: Type<DomainEvent>[]) => SetMetadata(REACT_TO, events);

/**
 * A durable reaction to every committed event, whether or not this service has a class for it: domain events
 * and the application events published through POST /api/events alike (webhook fan-out). It gets the envelope
 * and the event's JSON as committed, and must be idempotent on `envelope.eventId` too.
 */
export interface EveryEventReaction {
  reactToAny(envelope: EventEnvelope, payload: Record<string, unknown>): Promise<void>;
}

/**
 * An EveryEventReaction that can also take a whole batch of committed events inside the outbox relay's own
 * transaction: its writes go through `em`, so they commit together with the events' processed mark, or not at all,
 * and the relay then runs what it returns (queueing, notifying) once that commit is done. When every reaction to an
 * event can run this way, the event needs no Bull job (OUTBOX_REACT_IN_RELAY). It must stay idempotent on the event
 * ids: a relay that crashes after its commit but before the returned step leaves that step to the reaction's own
 * recovery (the webhook sweep, for the fan-out's queueing).
 */
export interface RelayReaction extends EveryEventReaction {
  reactInRelay(em: EntityManager, events: ReadonlyArray<{ envelope: EventEnvelope; payload: Record<string, unknown> }>): Promise<() => Promise<void>>;
}

export function isRelayReaction(reaction: EveryEventReaction): reaction is RelayReaction {
  return typeof (reaction as Partial<RelayReaction>).reactInRelay === 'function';
}

export interface ReactToAllOptions {
  /**
   * The event types this reaction never acts on. They are not handed to it, and an event no other reaction,
   * events handler or saga takes is not relayed at all (see DomainEventDispatcher.isObserved).
   */
  skips?: (eventType: string) => boolean;
}

/** Marks a provider as an `EveryEventReaction`. */
export const ReactToAll = (options: ReactToAllOptions = {}) => SetMetadata(REACT_TO_ALL, options);
