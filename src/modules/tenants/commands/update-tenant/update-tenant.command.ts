import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';
import type { Tenant, TenantChanges } from '../../domain/tenant.entity';

export class UpdateTenantCommand extends Command<Tenant> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly tenantId: string,
    readonly changes: TenantChanges,
  ) {
    super();
  }
}
