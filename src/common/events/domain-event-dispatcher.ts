import { Injectable, Logger, OnModuleInit, Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EventBus } from '@nestjs/cqrs';
// Not re-exported by the package's index: the keys @EventsHandler and @Saga write their metadata under.
import { EVENTS_HANDLER_METADATA, SAGA_METADATA } from '@nestjs/cqrs/dist/decorators/constants';
import { DomainEvent, EventEnvelope, eventClassOf, reviveEvent } from './domain-event';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainEventReaction, EveryEventReaction, isRelayReaction, REACT_TO, REACT_TO_ALL, ReactToAllOptions } from './react-to.decorator';

interface ReactionToEvery {
  reaction: EveryEventReaction;
  skips: (eventType: string) => boolean;
}

const SKIPS_NOTHING = () => false;

/**
 * Hands a committed event to every reaction registered for it, and to the reactions to every event that do not
 * skip its type, and waits for all of them, so the Bull job that carries the event fails (and is retried) when one
 * of them fails. Sagas and in-process projections get the event through Nest's EventBus as well. Events without a
 * class here (application events published through the API) reach only the reactions to every event.
 */
@Injectable()
export class DomainEventDispatcher implements OnModuleInit {
  private readonly logger = new Logger(DomainEventDispatcher.name);
  private readonly reactions = new Map<Type<DomainEvent>, DomainEventReaction[]>();
  private readonly reactionsToEvery: ReactionToEvery[] = [];
  /** Event classes an @EventsHandler takes from the EventBus. */
  private readonly handledOnEventBus = new Set<Type<DomainEvent>>();
  /** A saga sees every event on the EventBus, so with one in the application every event is observed. */
  private hasSagas = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly eventBus: EventBus,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as DomainEventReaction | undefined;
      // The class of the instance, as @nestjs/cqrs itself reads it: a provider made by a factory or given as a value
      // has no class of its own as its metatype, and its handlers would go unnoticed.
      const type = instance?.constructor;
      if (!instance || !type) continue;
      const toAll = Reflect.getMetadata(REACT_TO_ALL, type) as ReactToAllOptions | undefined;
      if (toAll) this.reactionsToEvery.push({ reaction: wrapper.instance as EveryEventReaction, skips: toAll.skips ?? SKIPS_NOTHING });
      const events = Reflect.getMetadata(REACT_TO, type) as Type<DomainEvent>[] | undefined;
      for (const event of events ?? []) {
        this.reactions.set(event, [...(this.reactions.get(event) ?? []), instance]);
      }
      const handled = Reflect.getMetadata(EVENTS_HANDLER_METADATA, type) as Type<DomainEvent>[] | undefined;
      for (const event of handled ?? []) this.handledOnEventBus.add(event);
      if (Reflect.getMetadata(SAGA_METADATA, type)) this.hasSagas = true;
    }
  }

  /**
   * Whether anything in this application acts on events of this type: a reaction to it, a reaction to every event
   * that does not skip it, an @EventsHandler for it, or any saga. An event nothing observes need not travel through
   * the relay and Bull: its writer may store it as already processed (the delivery outcome events, one per attempt,
   * are the case). The writer's own code decides: in a rolling deploy that adds the first reaction to such a type,
   * the events older workers write meanwhile are not relayed.
   */
  isObserved(eventType: string): boolean {
    if (this.hasSagas || this.reactionsToEvery.some(({ skips }) => !skips(eventType))) return true;
    const type = eventClassOf(eventType);
    return type !== undefined && (this.reactions.has(type) || this.handledOnEventBus.has(type));
  }

  /**
   * Whether every reaction to events of this type can run in the outbox relay's transaction (see RelayReaction):
   * no reaction to the type itself, no events handler or saga on the EventBus, and at least one reaction to every
   * event, all of them relay reactions.
   */
  handledInRelay(eventType: string): boolean {
    if (this.hasSagas) return false;
    const type = eventClassOf(eventType);
    if (type !== undefined && (this.reactions.has(type) || this.handledOnEventBus.has(type))) return false;
    const reactions = this.reactionsToEvery.filter(({ skips }) => !skips(eventType));
    return reactions.length > 0 && reactions.every(({ reaction }) => isRelayReaction(reaction));
  }

  /**
   * Runs the relay reactions over events for which `handledInRelay` holds, through `em` (the relay's transaction).
   * Returns the steps to run once that transaction has committed.
   */
  async reactInRelay(em: EntityManager, events: ReadonlyArray<{ envelope: EventEnvelope; payload: Record<string, unknown> }>): Promise<Array<() => Promise<void>>> {
    const afterCommit: Array<() => Promise<void>> = [];
    for (const { reaction, skips } of this.reactionsToEvery) {
      const taken = events.filter(({ envelope }) => !skips(envelope.eventType));
      if (taken.length && isRelayReaction(reaction)) afterCommit.push(await reaction.reactInRelay(em, taken));
    }
    return afterCommit;
  }

  async dispatch(envelope: EventEnvelope, payload: Record<string, unknown>): Promise<void> {
    const toEvery = this.reactionsToEvery.filter(({ skips }) => !skips(envelope.eventType)).map(({ reaction }) => reaction.reactToAny(envelope, payload));
    if (!eventClassOf(envelope.eventType)) {
      if (!toEvery.length) this.logger.warn(`No event class for ${envelope.eventType}; skipped`);
      return this.throwIfFailed(envelope, await Promise.allSettled(toEvery));
    }
    const event = reviveEvent(envelope.eventType, payload);
    const reactions = this.reactions.get(event.constructor as Type<DomainEvent>) ?? [];
    const results = await Promise.allSettled([...toEvery, ...reactions.map((reaction) => reaction.react(event, envelope))]);
    this.eventBus.publish(event);
    this.throwIfFailed(envelope, results);
  }

  private throwIfFailed(envelope: EventEnvelope, results: PromiseSettledResult<unknown>[]): void {
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) {
      throw new AggregateError(failed.map((f) => f.reason as Error), `${failed.length} reaction(s) to ${envelope.eventType} failed`);
    }
  }
}
