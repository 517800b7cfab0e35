import { Injectable, Logger, OnModuleInit, Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EventBus } from '@nestjs/cqrs';
import { DomainEvent, EventEnvelope, eventClassOf, reviveEvent } from './domain-event';
import { DomainEventReaction, EveryEventReaction, REACT_TO, REACT_TO_ALL } from './react-to.decorator';

/**
 * Hands a committed event to every reaction registered for it, and to the reactions to every event, and waits
 * for all of them, so the Bull job that carries the event fails (and is retried) when one of them fails. Sagas
 * and in-process projections get the event through Nest's EventBus as well. Events without a class here
 * (application events published through the API) reach only the reactions to every event.
 */
@Injectable()
export class DomainEventDispatcher implements OnModuleInit {
  private readonly logger = new Logger(DomainEventDispatcher.name);
  private readonly reactions = new Map<Type<DomainEvent>, DomainEventReaction[]>();
  private readonly reactionsToEvery: EveryEventReaction[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly eventBus: EventBus,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as DomainEventReaction | undefined;
      if (!instance || !wrapper.metatype) continue;
      if (Reflect.getMetadata(REACT_TO_ALL, wrapper.metatype)) this.reactionsToEvery.push(wrapper.instance as EveryEventReaction);
      const events = Reflect.getMetadata(REACT_TO, wrapper.metatype) as Type<DomainEvent>[] | undefined;
      for (const event of events ?? []) {
        this.reactions.set(event, [...(this.reactions.get(event) ?? []), instance]);
      }
    }
  }

  async dispatch(envelope: EventEnvelope, payload: Record<string, unknown>): Promise<void> {
    const toEvery = this.reactionsToEvery.map((reaction) => reaction.reactToAny(envelope, payload));
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
