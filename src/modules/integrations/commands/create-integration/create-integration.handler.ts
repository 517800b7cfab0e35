import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { ConfigurationValidator } from '../../infrastructure/configuration-validator';
import { fieldPaths } from '../../domain/configuration';
import { CreateIntegrationCommand } from './create-integration.command';

@CommandHandler(CreateIntegrationCommand)
export class CreateIntegrationHandler implements ICommandHandler<CreateIntegrationCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    private readonly validator: ConfigurationValidator,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ actor, name, integrationType, provider, configuration }: CreateIntegrationCommand): Promise<Integration> {
    const adapter = this.validator.adapterFor(integrationType, provider);
    const checked = this.validator.validConfiguration(adapter, configuration);
    const integration = Integration.create(
      { tenantId: actor.tenantId, name, integrationType, provider: adapter.provider, createdBy: actor.apiKeyId },
      checked,
      this.vault,
    );
    const em = this.integrations.getEntityManager();
    em.persist(integration);
    em.persist(
      IntegrationLog.write({
        tenantId: actor.tenantId,
        integrationId: integration.id,
        logLevel: 'Information',
        message: `Integration created (${integrationType}, ${adapter.provider}); test it to activate it`,
        details: { configurationFields: fieldPaths(checked) },
        requestId: actor.requestId,
      }),
    );
    return integration;
  }
}
