import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { systemActor } from '../../../common/cqrs/actor';
import { PublishEventCommand } from '../../webhooks/commands/publish-event/publish-event.command';
import type { WebhookReceivedEvent } from '../domain/events/webhook-received.event';
import type { InboundWebhookEvent } from '../domain/inbound-webhook-event.entity';
import type { Receiver } from '../infrastructure/incoming-settings.cache';
import type { IncomingWebhookHandler } from './incoming-webhook-handler';

/**
 * `incomingWebhook.republish` maps a provider event type (Stripe's `charge.refunded`) to an application event
 * type of the tenant (`PaymentRefunded`): the callback then reaches the tenant's outgoing subscribers. The
 * inbound event id is the idempotency key, so a retried reaction publishes once.
 */
@Injectable()
export class RepublishAsApplicationEvent implements IncomingWebhookHandler {
  constructor(private readonly commands: CommandBus) {}

  handles(received: WebhookReceivedEvent, receiver: Receiver): boolean {
    // Own keys only: the type may come from an unsigned header, and `constructor` would find Object.prototype's.
    return received.eventType !== null && Object.hasOwn(receiver.settings.republish, received.eventType);
  }

  async handle(event: InboundWebhookEvent, receiver: Receiver): Promise<void> {
    const data = {
      integrationId: event.integrationId,
      provider: event.provider,
      providerEventType: event.eventType,
      inboundEventId: event.id,
      payload: safeJson(event.body),
    };
    await this.commands.execute(
      new PublishEventCommand(systemActor(event.tenantId, ['events:publish']), receiver.settings.republish[event.eventType!], data, `incoming:${event.id}`),
    );
  }
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
