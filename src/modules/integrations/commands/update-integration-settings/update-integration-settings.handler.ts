import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Integration } from '../../domain/integration.entity';
import { IntegrationError, IntegrationErrorCode } from '../../domain/integration.errors';
import { IntegrationSettings } from '../../domain/integration-settings.entity';
import { IntegrationSettingsReader } from '../../infrastructure/integration-settings.reader';
import { UpdateIntegrationSettingsCommand } from './update-integration-settings.command';

@CommandHandler(UpdateIntegrationSettingsCommand)
export class UpdateIntegrationSettingsHandler implements ICommandHandler<UpdateIntegrationSettingsCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly reader: IntegrationSettingsReader,
  ) {}

  async execute({ actor, singleProviderTypes }: UpdateIntegrationSettingsCommand): Promise<IntegrationSettings> {
    await this.reader.lockRules(actor.tenantId);
    const settings = await this.reader.settingsOf(actor.tenantId);
    // A kind can only become single-provider while the tenant has at most one Active integration of it.
    for (const type of singleProviderTypes) {
      const active = await this.em.count(Integration, { tenantId: actor.tenantId, integrationType: type, status: 'Active' });
      if (active > 1) {
        throw new IntegrationError(IntegrationErrorCode.OneActivePerType, `The tenant has ${active} Active ${type} integrations; disconnect all but one first`, { integrationType: type });
      }
    }
    settings.change(singleProviderTypes, actor.apiKeyId);
    this.em.persist(settings);
    // The unique index guards Active integrations marked exclusive: mark them to match the new rule.
    await this.em.nativeUpdate(Integration, { tenantId: actor.tenantId, status: 'Active' }, { exclusive: false });
    if (singleProviderTypes.length) {
      await this.em.nativeUpdate(Integration, { tenantId: actor.tenantId, status: 'Active', integrationType: { $in: singleProviderTypes } }, { exclusive: true });
    }
    return settings;
  }
}
