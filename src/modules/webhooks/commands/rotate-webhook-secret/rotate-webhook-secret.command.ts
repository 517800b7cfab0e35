import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Webhook } from '../../domain/webhook.entity';

export interface RotatedWebhookSecret {
  webhook: Webhook;
  secret: string;
}

export class RotateWebhookSecretCommand extends Command<RotatedWebhookSecret> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly webhookId: string,
    /** How long the old secret keeps signing; undefined takes WEBHOOK_SECRET_ROTATION_GRACE_SECONDS. */
    readonly gracePeriodSeconds: number | undefined,
  ) {
    super();
  }
}
