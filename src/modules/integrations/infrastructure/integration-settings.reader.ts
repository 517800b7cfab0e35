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

  /**
   * Keeps the tenant's BR-IM-01 rules still until the command commits. A settings change and an activation take
   * this lock before they read the rules and before they lock integrations, so neither commits on a reading that
   * the other made stale (two Active integrations of a single-provider kind, or the change's marking of them
   * failing on the unique index). The tenant row stands in for the settings row, which may not exist; FOR NO KEY
   * UPDATE leaves the foreign-key checks of the tenant's other writes free.
   */
  async lockRules(tenantId: string): Promise<void> {
    await this.em.execute('SELECT 1 FROM tenant WHERE id = ? FOR NO KEY UPDATE', [tenantId]);
  }

  async isSingleProvider(tenantId: string, type: IntegrationType): Promise<boolean> {
    return (await this.settingsOf(tenantId)).singleProviderTypes.includes(type);
  }
}
