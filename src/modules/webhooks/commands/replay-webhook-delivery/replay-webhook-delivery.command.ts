import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { WebhookDelivery } from '../../domain/webhook-delivery.entity';

export class ReplayWebhookDeliveryCommand extends Command<WebhookDelivery> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly webhookId: string,
    readonly deliveryId: string,
  ) {
    super();
  }
}
