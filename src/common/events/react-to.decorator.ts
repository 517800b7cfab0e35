import { SetMetadata, Type } from '@nestjs/common';
import type { DomainEvent, EventEnvelope } from './domain-event';

export const REACT_TO = Symbol('REACT_TO');

/**
 * A durable reaction to a committed domain event. It runs in the worker, after the outbox relay handed the
 * event to Bull, and is retried until it succeeds; so it must be idempotent on `envelope.eventId`.
 */
export interface DomainEventReaction<E extends DomainEvent = DomainEvent> {
  react(event: E, envelope: EventEnvelope): Promise<void>;
}

/** Marks a provider as a reaction to the given event classes (the MediatR INotificationHandler). */
export const ReactTo = (...events: Type<DomainEvent>[]) => SetMetadata(REACT_TO, events);
