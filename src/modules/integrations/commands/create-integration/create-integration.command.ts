import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Integration } from '../../domain/integration.entity';
import type { IntegrationType } from '../../domain/integration-types';

/** Creates an integration in Draft; a test validates and activates it (BR-IM-02). */
export class CreateIntegrationCommand extends Command<Integration> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly name: string,
    readonly integrationType: IntegrationType,
    readonly provider: string,
    /** A JSON object, or a string holding one (§7.1); checked here against the provider's needs. */
    readonly configuration: unknown,
  ) {
    super();
  }
}
