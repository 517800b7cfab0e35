import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Integration } from '../../domain/integration.entity';
import type { ProbeOutcome } from '../../domain/integration-types';

/** What a test found; filled in once the provider answered, after the command's own transaction. */
export class IntegrationTestReport {
  integration: Integration;
  outcome: ProbeOutcome;
}

/**
 * POST /api/integrations/{id}/test: validates the credentials and sends a test transaction or message.
 * A Draft (or Suspended) integration becomes Active when it passes (BR-IM-02); an Active one is checked.
 */
export class TestIntegrationCommand extends Command<IntegrationTestReport> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly integrationId: string,
  ) {
    super();
  }
}
