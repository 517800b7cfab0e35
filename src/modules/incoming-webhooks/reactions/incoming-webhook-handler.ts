import type { WebhookReceivedEvent } from '../domain/events/webhook-received.event';
import type { InboundWebhookEvent } from '../domain/inbound-webhook-event.entity';
import type { Receiver } from '../infrastructure/incoming-settings.cache';

/**
 * Something to do with a verified provider callback, in the worker. A new one is a class implementing this and
 * a line in incoming-webhooks.worker-module.ts. Handlers may run again for the same event after a failure, so they
 * must be idempotent on `event.id`.
 */
export interface IncomingWebhookHandler {
  /** Decided from the event's summary, so callbacks no handler wants cost no read of their body. */
  handles(received: WebhookReceivedEvent, receiver: Receiver): boolean;
  handle(event: InboundWebhookEvent, receiver: Receiver): Promise<void>;
}

export const INCOMING_WEBHOOK_HANDLERS = Symbol('INCOMING_WEBHOOK_HANDLERS');
