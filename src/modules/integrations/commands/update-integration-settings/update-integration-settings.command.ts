import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { IntegrationSettings } from '../../domain/integration-settings.entity';
import type { IntegrationType } from '../../domain/integration-types';

export class UpdateIntegrationSettingsCommand extends Command<IntegrationSettings> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly singleProviderTypes: IntegrationType[],
  ) {
    super();
  }
}
