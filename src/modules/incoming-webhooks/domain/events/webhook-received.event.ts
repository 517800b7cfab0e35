import { DomainEvent, EventType } from '../../../../common/events/domain-event';

/** Spec §3.4: a provider callback arrived, verified and stored; the worker processes it from here. */
@EventType('WebhookReceived', { resource: 'incoming_webhook' })
export class WebhookReceivedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    /** The stored InboundWebhookEvent's id. */
    readonly aggregateId: string,
    readonly integrationId: string,
    readonly provider: string,
    readonly eventType: string | null,
    readonly sourceIp: string,
    readonly receivedAt: string,
  ) {}
}
