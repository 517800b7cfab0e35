import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { AggregateRoot } from '@nestjs/cqrs';
import type { DomainEvent } from '../../../common/events/domain-event';
import { IntegrationSettingsUpdatedEvent } from './events/integration.events';
import type { IntegrationType } from './integration-types';

/**
 * A tenant's own integration rules. Without a row, the deployment's INTEGRATIONS_SINGLE_PROVIDER_TYPES apply.
 * Kept beside the integrations rather than on the tenant: it is this module's rule (BR-IM-01).
 */
@Entity({ tableName: 'integration_settings' })
export class IntegrationSettings extends AggregateRoot<DomainEvent> {
  @PrimaryKey({ type: 'uuid' })
  tenantId: string;

  /** Kinds of which the tenant may have only one Active integration. */
  @Property({ type: 'json' })
  singleProviderTypes: IntegrationType[];

  @Property({ type: 'Date' })
  modifiedAt: Date;

  @Property({ type: 'uuid', nullable: true })
  modifiedBy: string | null = null;

  static defaults(tenantId: string, singleProviderTypes: IntegrationType[], now = new Date()): IntegrationSettings {
    const settings = new IntegrationSettings();
    settings.tenantId = tenantId;
    settings.singleProviderTypes = [...singleProviderTypes];
    settings.modifiedAt = now;
    return settings;
  }

  change(singleProviderTypes: IntegrationType[], by: string | null, now = new Date()): void {
    this.singleProviderTypes = [...new Set(singleProviderTypes)].sort();
    this.modifiedAt = now;
    this.modifiedBy = by;
    this.apply(new IntegrationSettingsUpdatedEvent(this.tenantId, this.tenantId, this.singleProviderTypes, by));
  }
}
