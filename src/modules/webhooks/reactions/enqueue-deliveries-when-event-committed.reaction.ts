import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../../../common/events/domain-event';
import { ReactToAll, RelayReaction } from '../../../common/events/react-to.decorator';
import { isDeliveryOutcomeEvent } from '../domain/event-catalog';
import { CommittedEvent, DeliveryFanOut } from '../infrastructure/delivery-fan-out';

/**
 * Every committed event (domain events and published application events alike) fans out to the tenant's
 * subscribed webhooks. Idempotent on the event id. Run by the outbox relay itself, in its transaction, for events
 * nothing else reacts to (nearly all of them: OUTBOX_REACT_IN_RELAY); otherwise with the event's Bull job, retried
 * until it succeeds. A delivery's own WebhookSent / WebhookDeliveryFailed (one per attempt, the most frequent
 * events of all) have no subscribers by rule, so they are skipped: with nothing else reacting to them, they are
 * not even relayed.
 */
@Injectable()
@ReactToAll({ skips: isDeliveryOutcomeEvent })
export class EnqueueDeliveriesWhenEventCommitted implements RelayReaction {
  constructor(private readonly fanOut: DeliveryFanOut) {}

  async reactToAny(envelope: EventEnvelope, payload: Record<string, unknown>): Promise<void> {
    if (envelope.tenantId === null) return;
    await this.fanOut.add({ envelope, payload });
  }

  reactInRelay(em: EntityManager, events: readonly CommittedEvent[]): Promise<() => Promise<void>> {
    return this.fanOut.fanOutWithin(
      em,
      events.filter(({ envelope }) => envelope.tenantId !== null),
    );
  }
}
