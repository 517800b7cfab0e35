import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Integration } from '../integrations/domain/integration.entity';
import { ReceiveWebhookHandler } from './commands/receive-webhook/receive-webhook.handler';
import { InboundWebhookEvent } from './domain/inbound-webhook-event.entity';
import { IncomingWebhooksController } from './http/incoming-webhooks.controller';
import { InboundEventWriter } from './infrastructure/inbound-event.writer';
import { IncomingSettingsCache } from './infrastructure/incoming-settings.cache';
import { ListIncomingEventsHandler } from './queries/list-incoming-events/list-incoming-events.handler';

/**
 * Incoming provider webhooks: `POST /api/webhooks/incoming/{integrationId}` verifies a callback with the
 * integration's scheme over its raw bytes, deduplicates it on the provider's id (and on the body, for schemes that
 * sign nothing else), stores it durably with its WebhookReceived event, and answers; the worker processes it
 * (incoming-webhooks.worker-module.ts).
 */
@Module({
  imports: [MikroOrmModule.forFeature([InboundWebhookEvent, Integration])],
  controllers: [IncomingWebhooksController],
  providers: [ReceiveWebhookHandler, ListIncomingEventsHandler, IncomingSettingsCache, InboundEventWriter],
  exports: [IncomingSettingsCache],
})
export class IncomingWebhooksModule {}
