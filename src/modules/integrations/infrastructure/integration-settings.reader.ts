import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { IntegrationSettings } from '../domain/integration-settings.entity';
import type { IntegrationType } from '../domain/integration-types';

/** A tenant's integration settings, or the deployment's defaults when the tenant has none of its own. */
@Injectable()
export class IntegrationSettingsReader {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async settingsOf(tenantId: string): Promise<IntegrationSettings> {
    return (await this.em.findOne(IntegrationSettings, { tenantId })) ?? IntegrationSettings.defaults(tenantId, this.config.integrations.singleProviderTypes as IntegrationType[]);
  }

  async isSingleProvider(tenantId: string, type: IntegrationType): Promise<boolean> {
    return (await this.settingsOf(tenantId)).singleProviderTypes.includes(type);
  }
}
