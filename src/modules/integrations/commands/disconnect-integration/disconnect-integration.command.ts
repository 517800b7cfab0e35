import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Integration } from '../../domain/integration.entity';

/** DELETE /api/integrations/{id}: the integration is disconnected, not erased (its logs and audit stay). */
export class DisconnectIntegrationCommand extends Command<Integration> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly integrationId: string,
    readonly reason: string,
  ) {
    super();
  }
}
