import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { CommonError } from '../../../../common/errors/domain-error';
import { ConfigurationObject, restoreMaskedSecrets } from '../../domain/configuration';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { ConfigurationValidator } from '../../infrastructure/configuration-validator';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { parseConfiguration } from '../../domain/configuration';
import { UpdateIntegrationCommand } from './update-integration.command';

@CommandHandler(UpdateIntegrationCommand)
export class UpdateIntegrationHandler implements ICommandHandler<UpdateIntegrationCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    private readonly validator: ConfigurationValidator,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ actor, integrationId, changes }: UpdateIntegrationCommand): Promise<Integration> {
    // Locked, as a test's start and its recorded result lock it: an update and a test of the old configuration
    // are then ordered, and the result is checked against the configuration it tested (see RecordIntegrationCheck).
    const integration = await this.integrations.getOfTenant(actor.tenantId, integrationId, { lock: true });
    let configuration: ConfigurationObject | undefined;
    if (changes.configuration !== undefined) {
      const adapter = this.validator.adapterFor(integration.integrationType, integration.provider);
      // Masks are restored before the provider's checks, so a round-tripped secret counts as present.
      const parsed = parseConfiguration(changes.configuration, Number.MAX_SAFE_INTEGER).configuration;
      let restored: unknown = changes.configuration;
      if (parsed) {
        const { configuration: withSecrets, errors } = restoreMaskedSecrets(parsed, integration.configuration(this.vault));
        if (errors.length) throw CommonError.validation(errors);
        restored = withSecrets;
      }
      configuration = this.validator.validConfiguration(adapter, restored);
    }
    const changed = integration.update({ name: changes.name, isEnabled: changes.isEnabled, configuration }, this.vault, actor.apiKeyId);
    if (changed.length) {
      this.integrations.getEntityManager().persist(
        IntegrationLog.write({
          tenantId: actor.tenantId,
          integrationId,
          logLevel: 'Information',
          message: `Integration updated: ${changed.join(', ')}`,
          details: { changedFields: changed, status: integration.status },
          requestId: actor.requestId,
        }),
      );
    }
    return integration;
  }
}
