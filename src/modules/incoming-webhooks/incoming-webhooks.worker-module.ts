import { Module } from '@nestjs/common';
import { retain } from '../../common/retention/retention';
import { IncomingWebhooksModule } from './incoming-webhooks.module';
import { INCOMING_WEBHOOK_HANDLERS } from './reactions/incoming-webhook-handler';
import { ProcessIncomingWebhookWhenReceived } from './reactions/process-incoming-webhook-when-received.reaction';
import { RepublishAsApplicationEvent } from './reactions/republish-as-application-event.handler';
import { StartSyncOnProviderEvent } from './reactions/start-sync-on-provider-event.handler';

/**
 * Stored callbacks are kept INCOMING_WEBHOOKS_RETENTION_DAYS (30), well past the providers' 3-day retry window
 * that deduplication must cover.
 */
retain({
  name: 'incoming-webhooks',
  table: 'inbound_webhook_event',
  column: 'received_at',
  days: (c) => c.incomingWebhooks.retentionDays,
  cron: (c) => c.incomingWebhooks.cleanupCron,
});

/** The handlers that act on stored callbacks, in order. A new handler is a class and an entry here. */
const handlers = [RepublishAsApplicationEvent, StartSyncOnProviderEvent];

@Module({
  imports: [IncomingWebhooksModule],
  providers: [
    ...handlers,
    { provide: INCOMING_WEBHOOK_HANDLERS, useFactory: (...instances: unknown[]) => instances, inject: handlers },
    ProcessIncomingWebhookWhenReceived,
  ],
})
export class IncomingWebhooksWorkerModule {}
