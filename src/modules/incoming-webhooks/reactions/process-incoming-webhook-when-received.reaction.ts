import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { MicroBatcher } from '../../../common/batching/micro-batcher';
import { pgArray } from '../../../common/database/pg-array';
import type { EventEnvelope } from '../../../common/events/domain-event';
import { DomainEventReaction, ReactTo } from '../../../common/events/react-to.decorator';
import { WebhookReceivedEvent } from '../domain/events/webhook-received.event';
import { InboundWebhookEvent } from '../domain/inbound-webhook-event.entity';
import { incomingWebhooksProcessed } from '../infrastructure/incoming-webhook-metrics';
import { IncomingSettingsCache } from '../infrastructure/incoming-settings.cache';
import { INCOMING_WEBHOOK_HANDLERS, IncomingWebhookHandler } from './incoming-webhook-handler';

/**
 * Runs the handlers that want a stored callback, then marks it Processed. Which handlers want it is decided
 * from the event's summary, so the common case (no handler) reads nothing and its Processed mark is written
 * together with many others. A failure marks it Failed with the error and rethrows, so the domain-events queue
 * retries it with backoff; a Processed event is never run again.
 */
@Injectable()
@ReactTo(WebhookReceivedEvent)
export class ProcessIncomingWebhookWhenReceived implements DomainEventReaction<WebhookReceivedEvent> {
  private readonly processedMarks = new MicroBatcher<string, void>((ids) => this.markProcessed(ids), 500, 20);

  constructor(
    private readonly em: EntityManager,
    private readonly receivers: IncomingSettingsCache,
    @Inject(INCOMING_WEBHOOK_HANDLERS) private readonly handlers: IncomingWebhookHandler[],
  ) {}

  async react(received: WebhookReceivedEvent, _envelope: EventEnvelope): Promise<void> {
    const receiver = await this.receivers.receiverFor(received.integrationId);
    const wanted = receiver ? this.handlers.filter((handler) => handler.handles(received, receiver)) : [];
    if (wanted.length === 0) {
      await this.processedMarks.add(received.aggregateId);
      incomingWebhooksProcessed.inc({ provider: received.provider, result: 'processed' });
      return;
    }
    const em = this.em.fork();
    const event = await em.findOne(InboundWebhookEvent, received.aggregateId);
    if (!event || event.status === 'Processed') return;
    try {
      for (const handler of wanted) await handler.handle(event, receiver!);
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

  private async markProcessed(ids: string[]): Promise<void[]> {
    await this.em.getConnection().execute(
      `UPDATE inbound_webhook_event SET status = 'Processed', processed_at = now(), attempts = attempts + 1
        WHERE id = ANY(?::uuid[]) AND status <> 'Processed'`,
      [pgArray(ids)],
    );
    return ids.map(() => undefined);
  }
}
