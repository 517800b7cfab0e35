import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '../../../common/events/domain-event';
import { EveryEventReaction, ReactToAll } from '../../../common/events/react-to.decorator';
import { isDeliveryOutcomeEvent } from '../domain/event-catalog';
import { DeliveryFanOut } from '../infrastructure/delivery-fan-out';

/**
 * Every committed event (domain events and published application events alike) fans out to the tenant's
 * subscribed webhooks. Retried with the event's Bull job until it succeeds; idempotent on the event id. A
 * delivery's own WebhookSent / WebhookDeliveryFailed (one per attempt, the most frequent events of all) have no
 * subscribers by rule, so they are skipped: with nothing else reacting to them, they are not even relayed.
 */
@Injectable()
@ReactToAll({ skips: isDeliveryOutcomeEvent })
export class EnqueueDeliveriesWhenEventCommitted implements EveryEventReaction {
  constructor(private readonly fanOut: DeliveryFanOut) {}

  async reactToAny(envelope: EventEnvelope, payload: Record<string, unknown>): Promise<void> {
    if (envelope.tenantId === null) return;
    await this.fanOut.add({ envelope, payload });
  }
}
