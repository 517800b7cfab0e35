import type { InboundWebhookEvent } from '../domain/inbound-webhook-event.entity';
import type { Receiver } from '../infrastructure/incoming-settings.cache';

/**
 * Something to do with a verified provider callback, in the worker. A new one is a class implementing this and
 * a line in incoming-webhooks.module.ts. Handlers may run again for the same event after a failure, so they
 * must be idempotent on `event.id`.
 */
export interface IncomingWebhookHandler {
  handles(event: InboundWebhookEvent, receiver: Receiver): boolean;
  handle(event: InboundWebhookEvent, receiver: Receiver): Promise<void>;
}

export const INCOMING_WEBHOOK_HANDLERS = Symbol('INCOMING_WEBHOOK_HANDLERS');
