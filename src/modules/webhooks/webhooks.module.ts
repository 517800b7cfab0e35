import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bull';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { CreateWebhookHandler } from './commands/create-webhook/create-webhook.handler';
import { CheckWebhookHealthHandler } from './commands/check-webhook-health/check-webhook-health.handler';
import { DeleteWebhookHandler } from './commands/delete-webhook/delete-webhook.handler';
import { PublishEventHandler } from './commands/publish-event/publish-event.handler';
import { RecoverWebhookDeliveriesHandler } from './commands/recover-webhook-deliveries/recover-webhook-deliveries.handler';
import { ReencryptWebhookSecretsHandler } from './commands/reencrypt-webhook-secrets/reencrypt-webhook-secrets.handler';
import { RegisterEventTypeHandler } from './commands/register-event-type/register-event-type.handler';
import { ReplayWebhookDeliveryHandler } from './commands/replay-webhook-delivery/replay-webhook-delivery.handler';
import { RotateWebhookSecretHandler } from './commands/rotate-webhook-secret/rotate-webhook-secret.handler';
import { SendTestWebhookHandler } from './commands/send-test-webhook/send-test-webhook.handler';
import { UpdateWebhookHandler } from './commands/update-webhook/update-webhook.handler';
import { EventTypeDefinition } from './domain/event-type-definition.entity';
import { Webhook } from './domain/webhook.entity';
import { WebhookDelivery } from './domain/webhook-delivery.entity';
import { WebhookDeliveryAttempt } from './domain/webhook-delivery-attempt.entity';
import { EventsController } from './http/events.controller';
import { WebhooksController } from './http/webhooks.controller';
import { deliveryBackoffStrategies, WEBHOOK_DELIVERIES_QUEUE } from './infrastructure/delivery-queue';
import { ApplicationEventWriter } from './infrastructure/application-event-writer';
import { EventTypeCatalog } from './infrastructure/event-type-catalog';
import { WebhookSender } from './infrastructure/webhook-sender';
import { GetWebhookHandler } from './queries/get-webhook/get-webhook.handler';
import { GetWebhookDeliveryHandler } from './queries/get-webhook-delivery/get-webhook-delivery.handler';
import { GetWebhookHealthHandler } from './queries/get-webhook-health/get-webhook-health.handler';
import { GetWebhookSecretHandler } from './queries/get-webhook-secret/get-webhook-secret.handler';
import { ListEventTypesHandler } from './queries/list-event-types/list-event-types.handler';
import { ListWebhookDeliveriesHandler } from './queries/list-webhook-deliveries/list-webhook-deliveries.handler';
import { ListWebhooksHandler } from './queries/list-webhooks/list-webhooks.handler';

export const webhookCommandHandlers = [
  CreateWebhookHandler,
  UpdateWebhookHandler,
  DeleteWebhookHandler,
  RotateWebhookSecretHandler,
  SendTestWebhookHandler,
  ReplayWebhookDeliveryHandler,
  RecoverWebhookDeliveriesHandler,
  PublishEventHandler,
  RegisterEventTypeHandler,
  CheckWebhookHealthHandler,
  ReencryptWebhookSecretsHandler,
];
export const webhookQueryHandlers = [
  ListWebhooksHandler,
  GetWebhookHandler,
  GetWebhookSecretHandler,
  GetWebhookHealthHandler,
  ListWebhookDeliveriesHandler,
  GetWebhookDeliveryHandler,
  ListEventTypesHandler,
];

const deliveriesQueue = BullModule.registerQueue({ name: WEBHOOK_DELIVERIES_QUEUE, settings: { backoffStrategies: deliveryBackoffStrategies } });

/**
 * Outgoing webhooks (issue #6). Every committed event, from this service's aggregates or published through
 * POST /api/events, reaches the worker through the outbox; there it becomes one WebhookDelivery per subscribed
 * active webhook, written to PostgreSQL (the source of truth) and queued in Bull (a fan-out's first attempts
 * share jobs; every later attempt has a job of its own). The
 * delivery worker signs each request (Standard Webhooks), POSTs it through the SSRF-safe client, and writes
 * outcomes in batches; retries are delayed jobs; a sweep re-queues whatever Redis lost.
 */
@Module({
  imports: [MikroOrmModule.forFeature([Webhook, WebhookDelivery, WebhookDeliveryAttempt, EventTypeDefinition]), deliveriesQueue],
  controllers: [WebhooksController, EventsController],
  providers: [...webhookCommandHandlers, ...webhookQueryHandlers, EventTypeCatalog, ApplicationEventWriter, WebhookSender],
  exports: [deliveriesQueue, WebhookSender, EventTypeCatalog],
})
export class WebhooksModule {}
