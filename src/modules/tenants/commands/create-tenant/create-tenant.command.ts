import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { ApiKey } from '../../../api-keys/domain/api-key.entity';
import type { Tenant, TenantLimits } from '../../domain/tenant.entity';

export interface CreatedTenant {
  tenant: Tenant;
  adminKey: ApiKey;
  /** The first admin key's secret, shown once. */
  token: string;
}

export class CreateTenantCommand extends Command<CreatedTenant> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly name: string,
    readonly limits: TenantLimits,
  ) {
    super();
  }
}
