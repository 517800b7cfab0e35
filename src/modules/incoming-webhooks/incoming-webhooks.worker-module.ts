import { Module } from '@nestjs/common';
import { IncomingWebhooksModule } from './incoming-webhooks.module';
import { INCOMING_WEBHOOK_HANDLERS } from './reactions/incoming-webhook-handler';
import { ProcessIncomingWebhookWhenReceived } from './reactions/process-incoming-webhook-when-received.reaction';
import { RepublishAsApplicationEvent } from './reactions/republish-as-application-event.handler';
import { IncomingWebhookRetentionProcessor } from './workers/incoming-webhook-retention.processor';

/** The handlers that act on stored callbacks, in order. A new handler is a class and an entry here. */
const handlers = [RepublishAsApplicationEvent];

@Module({
  imports: [IncomingWebhooksModule],
  providers: [
    ...handlers,
    { provide: INCOMING_WEBHOOK_HANDLERS, useFactory: (...instances: unknown[]) => instances, inject: handlers },
    ProcessIncomingWebhookWhenReceived,
    IncomingWebhookRetentionProcessor,
  ],
})
export class IncomingWebhooksWorkerModule {}
