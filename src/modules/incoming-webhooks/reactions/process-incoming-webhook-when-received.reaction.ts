import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../../../common/events/domain-event';
import { DomainEventReaction, ReactTo } from '../../../common/events/react-to.decorator';
import { WebhookReceivedEvent } from '../domain/events/webhook-received.event';
import { InboundWebhookEvent } from '../domain/inbound-webhook-event.entity';
import { incomingWebhooksProcessed } from '../infrastructure/incoming-webhook-metrics';
import { IncomingSettingsCache } from '../infrastructure/incoming-settings.cache';
import { INCOMING_WEBHOOK_HANDLERS, IncomingWebhookHandler } from './incoming-webhook-handler';

/**
 * Runs the handlers that want a stored callback, then marks it Processed. A failure marks it Failed with the
 * error and rethrows, so the domain-events queue retries it with backoff; a Processed event is never run again.
 */
@Injectable()
@ReactTo(WebhookReceivedEvent)
export class ProcessIncomingWebhookWhenReceived implements DomainEventReaction<WebhookReceivedEvent> {
  constructor(
    private readonly em: EntityManager,
    private readonly receivers: IncomingSettingsCache,
    @Inject(INCOMING_WEBHOOK_HANDLERS) private readonly handlers: IncomingWebhookHandler[],
  ) {}

  async react(received: WebhookReceivedEvent, _envelope: EventEnvelope): Promise<void> {
    const em = this.em.fork();
    const event = await em.findOne(InboundWebhookEvent, received.aggregateId);
    if (!event || event.status === 'Processed') return;
    const receiver = await this.receivers.receiverFor(event.integrationId);
    try {
      if (receiver) {
        for (const handler of this.handlers) if (handler.handles(event, receiver)) await handler.handle(event, receiver);
      }
      event.status = 'Processed';
      event.processedAt = new Date();
      event.lastError = null;
      incomingWebhooksProcessed.inc({ provider: event.provider, result: 'processed' });
    } catch (error) {
      event.status = 'Failed';
      event.lastError = (error as Error).message.slice(0, 2000);
      incomingWebhooksProcessed.inc({ provider: event.provider, result: 'failed' });
      throw error;
    } finally {
      event.attempts++;
      await em.flush();
    }
  }
}
