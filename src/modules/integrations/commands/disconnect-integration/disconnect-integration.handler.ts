import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { DisconnectIntegrationCommand } from './disconnect-integration.command';

@CommandHandler(DisconnectIntegrationCommand)
export class DisconnectIntegrationHandler implements ICommandHandler<DisconnectIntegrationCommand> {
  constructor(@InjectRepository(Integration) private readonly integrations: IntegrationRepository) {}

  async execute({ actor, integrationId, reason }: DisconnectIntegrationCommand): Promise<Integration> {
    // Locked, so that a test, an activation or new tokens committing meanwhile are seen and undone here: the flush
    // writes only what changed from what was read, and would leave the others' health, exclusive slot or tokens.
    const integration = await this.integrations.getOfTenant(actor.tenantId, integrationId, { lock: true });
    integration.disconnect(reason, actor.apiKeyId);
    this.integrations.getEntityManager().persist(
      IntegrationLog.write({ tenantId: actor.tenantId, integrationId, logLevel: 'Warning', message: `Integration disconnected: ${reason}`, requestId: actor.requestId }),
    );
    return integration;
  }
}
