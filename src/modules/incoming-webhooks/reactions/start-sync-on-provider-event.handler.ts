import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { systemActor } from '../../../common/cqrs/actor';
import { CreateDataSyncCommand } from '../../data-sync/commands/create-data-sync/create-data-sync.command';
import { DataSyncError, DataSyncErrorCode } from '../../data-sync/domain/data-sync.errors';
import type { WebhookReceivedEvent } from '../domain/events/webhook-received.event';
import type { InboundWebhookEvent } from '../domain/inbound-webhook-event.entity';
import type { Receiver } from '../infrastructure/incoming-settings.cache';
import type { IncomingWebhookHandler } from './incoming-webhook-handler';

/**
 * `incomingWebhook.syncOn` maps a provider event type (a CRM's `contact.updated`) to a sync type: the callback
 * starts an import of the integration, so changes arrive without waiting for the schedule. The frequency rules
 * still hold (BR-DS-01/02): a burst of callbacks starts one Incremental an hour, the rest are noted and dropped.
 * The inbound event id is the idempotency key, so a retried or duplicated run starts no second job, where no
 * frequency rule would stop it (Differential).
 */
@Injectable()
export class StartSyncOnProviderEvent implements IncomingWebhookHandler {
  private readonly logger = new Logger(StartSyncOnProviderEvent.name);

  constructor(private readonly commands: CommandBus) {}

  handles(received: WebhookReceivedEvent, receiver: Receiver): boolean {
    // Own keys only: the type may come from an unsigned header, and `constructor` would find Object.prototype's.
    return received.eventType !== null && Object.hasOwn(receiver.settings.syncOn, received.eventType);
  }

  async handle(event: InboundWebhookEvent, receiver: Receiver): Promise<void> {
    const syncType = receiver.settings.syncOn[event.eventType!];
    try {
      await this.commands.execute(
        new CreateDataSyncCommand(systemActor(event.tenantId, ['datasync:manage']), event.integrationId, syncType, 'Import', new Date(), `incoming:${event.id}`),
      );
    } catch (error) {
      if (!(error instanceof DataSyncError && error.code === DataSyncErrorCode.TooFrequent)) throw error;
      this.logger.log({ integrationId: event.integrationId, eventType: event.eventType }, `${syncType} sync not started: ${error.message}`);
    }
  }
}
