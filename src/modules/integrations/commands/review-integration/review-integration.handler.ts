import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { ReviewIntegrationCommand } from './review-integration.command';

@CommandHandler(ReviewIntegrationCommand)
export class ReviewIntegrationHandler implements ICommandHandler<ReviewIntegrationCommand> {
  constructor(@InjectRepository(Integration) private readonly integrations: IntegrationRepository) {}

  async execute({ actor, integrationId, note }: ReviewIntegrationCommand): Promise<Integration> {
    // Locked, so that a disconnection committing meanwhile is seen here and refused, rather than overwritten with Draft.
    const integration = await this.integrations.getOfTenant(actor.tenantId, integrationId, { lock: true });
    integration.review(note, actor.apiKeyId);
    this.integrations.getEntityManager().persist(
      IntegrationLog.write({ tenantId: actor.tenantId, integrationId, logLevel: 'Information', message: `Reviewed and returned to Draft: ${note}`, requestId: actor.requestId }),
    );
    return integration;
  }
}
