import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Integration } from '../../domain/integration.entity';

export interface IntegrationChanges {
  name?: string;
  isEnabled?: boolean;
  /** The whole new configuration; masked secrets ("********") keep their stored values. */
  configuration?: unknown;
}

export class UpdateIntegrationCommand extends Command<Integration> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly integrationId: string,
    readonly changes: IntegrationChanges,
  ) {
    super();
  }
}
