import { Injectable, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CqrsModule, EventsHandler, IEvent, IEventHandler, ofType, Saga } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { map, Observable } from 'rxjs';
import { DomainEvent, EventEnvelope, EventType } from './domain-event';
import { DomainEventDispatcher } from './domain-event-dispatcher';
import { DomainEventReaction, EveryEventReaction, ReactTo, ReactToAll, RelayReaction } from './react-to.decorator';

@EventType('DispatcherSpecReacted', { resource: 'spec' })
class Reacted implements DomainEvent {
  constructor(
    readonly tenantId: string | null,
    readonly aggregateId: string,
  ) {}
}

@EventType('DispatcherSpecHandled', { resource: 'spec' })
class Handled implements DomainEvent {
  constructor(
    readonly tenantId: string | null,
    readonly aggregateId: string,
  ) {}
}

@EventType('DispatcherSpecIgnored', { resource: 'spec' })
class Ignored implements DomainEvent {
  constructor(
    readonly tenantId: string | null,
    readonly aggregateId: string,
  ) {}
}

const seen: string[] = [];
const envelope = (eventType: string): EventEnvelope => ({ eventId: `${eventType}-1`, eventType, tenantId: 't', occurredAt: new Date(0).toISOString() });

@Injectable()
@ReactToAll({ skips: (eventType) => eventType.endsWith('Ignored') || eventType.endsWith('Handled') || eventType.endsWith('Reacted') })
class EveryEventButSpecOnes implements EveryEventReaction {
  async reactToAny(envelope: EventEnvelope): Promise<void> {
    seen.push(`every:${envelope.eventType}`);
  }
}

@Injectable()
@ReactTo(Reacted)
class ReactsToOne implements DomainEventReaction {
  async react(_: DomainEvent, envelope: EventEnvelope): Promise<void> {
    seen.push(`one:${envelope.eventType}`);
  }
}

@EventsHandler(Handled)
class HandlesOnEventBus implements IEventHandler<Handled> {
  handle(): void {}
}

@Injectable()
class WatchesEverything {
  @Saga()
  watch = (events$: Observable<IEvent>): Observable<never> => events$.pipe(ofType(Ignored), map(() => undefined as never));
}

/** A reaction to every event that can also run in the relay; it skips the spec's Ignored type. */
@Injectable()
@ReactToAll({ skips: (eventType) => eventType.endsWith('Ignored') })
class FansOutInRelay implements RelayReaction {
  async reactToAny(envelope: EventEnvelope): Promise<void> {
    seen.push(`bull:${envelope.eventType}`);
  }

  async reactInRelay(_: unknown, events: ReadonlyArray<{ envelope: EventEnvelope }>): Promise<() => Promise<void>> {
    seen.push(...events.map(({ envelope }) => `relay:${envelope.eventType}`));
    return async () => void seen.push('after commit');
  }
}

async function dispatcherWith(...providers: Provider[]): Promise<DomainEventDispatcher> {
  const module = await Test.createTestingModule({ imports: [DiscoveryModule, CqrsModule], providers: [DomainEventDispatcher, ...providers] }).compile();
  await module.init();
  return module.get(DomainEventDispatcher);
}

describe('DomainEventDispatcher', () => {
  beforeEach(() => (seen.length = 0));

  it('observes the types its reactions, EventBus handlers and reactions to every event take, and no others', async () => {
    const dispatcher = await dispatcherWith(EveryEventButSpecOnes, ReactsToOne, HandlesOnEventBus);
    expect(dispatcher.isObserved('DispatcherSpecReacted')).toBe(true);
    expect(dispatcher.isObserved('DispatcherSpecHandled')).toBe(true);
    // Skipped by the reaction to every event, and taken by nothing else.
    expect(dispatcher.isObserved('DispatcherSpecIgnored')).toBe(false);
    // Not skipped: an application event the reaction to every event takes.
    expect(dispatcher.isObserved('OrderShipped')).toBe(true);
  });

  it('finds the handlers of providers made by a factory', async () => {
    const dispatcher = await dispatcherWith({ provide: 'handler', useFactory: () => new HandlesOnEventBus() });
    expect(dispatcher.isObserved('DispatcherSpecHandled')).toBe(true);
    expect(dispatcher.isObserved('DispatcherSpecReacted')).toBe(false);
  });

  it('observes nothing without reactions, and every event once a saga watches the EventBus', async () => {
    expect((await dispatcherWith()).isObserved('DispatcherSpecIgnored')).toBe(false);
    expect((await dispatcherWith(WatchesEverything)).isObserved('DispatcherSpecIgnored')).toBe(true);
  });

  it('does not hand a reaction to every event the types it skips', async () => {
    const dispatcher = await dispatcherWith(EveryEventButSpecOnes, ReactsToOne);
    await dispatcher.dispatch(envelope('DispatcherSpecReacted'), { tenantId: 't', aggregateId: 'a' });
    await dispatcher.dispatch(envelope('OrderShipped'), { sequence: 1 });
    expect(seen).toEqual(['one:DispatcherSpecReacted', 'every:OrderShipped']);
  });
  it('lets the relay run the reactions to an event only when every one of them can run there', async () => {
    const dispatcher = await dispatcherWith(FansOutInRelay, ReactsToOne, HandlesOnEventBus);
    // Only the relay reaction takes these.
    expect(dispatcher.handledInRelay('OrderShipped')).toBe(true);
    // A reaction of its own, or an EventBus handler, needs the event's Bull job.
    expect(dispatcher.handledInRelay('DispatcherSpecReacted')).toBe(false);
    expect(dispatcher.handledInRelay('DispatcherSpecHandled')).toBe(false);
    // Nothing takes it: there is nothing to run, in the relay or elsewhere.
    expect(dispatcher.handledInRelay('DispatcherSpecIgnored')).toBe(false);
    // A reaction to every event that cannot run in the relay, or a saga, sends every event through Bull.
    expect((await dispatcherWith(FansOutInRelay, EveryEventButSpecOnes)).handledInRelay('OrderShipped')).toBe(false);
    expect((await dispatcherWith(FansOutInRelay, WatchesEverything)).handledInRelay('OrderShipped')).toBe(false);
  });

  it('hands the relay reactions the events they take, and gives back what is to run after the commit', async () => {
    const dispatcher = await dispatcherWith(FansOutInRelay);
    const steps = await dispatcher.reactInRelay({} as never, [
      { envelope: envelope('OrderShipped'), payload: {} },
      { envelope: envelope('DispatcherSpecIgnored'), payload: {} },
    ]);
    expect(seen).toEqual(['relay:OrderShipped']);
    for (const step of steps) await step();
    expect(seen).toEqual(['relay:OrderShipped', 'after commit']);
  });
});
