import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommonError } from '../../../../common/errors/domain-error';
import { actsAcrossTenants } from '../../../../common/outbox/stage-domain-events';
import { Tenant } from '../../domain/tenant.entity';
import { UpdateTenantCommand } from './update-tenant.command';

/**
 * PATCH /api/tenants/{id}: the operator renames a tenant or changes its limits. No lock of its own: key and
 * webhook creations lock the tenant row before counting, so the UPDATE waits for them (or they for it) and each
 * creation is checked against either the old limit or the new one.
 */
@CommandHandler(UpdateTenantCommand)
export class UpdateTenantHandler implements ICommandHandler<UpdateTenantCommand> {
  constructor(private readonly em: EntityManager) {}

  async execute({ actor, tenantId, changes }: UpdateTenantCommand): Promise<Tenant> {
    const tenant = await this.em.findOne(Tenant, tenantId);
    if (!tenant) throw CommonError.notFound('Tenant');
    // The operator's key is of another tenant (unless it changes its own): the platform acted, as far as this tenant sees.
    tenant.update(changes, actsAcrossTenants(actor, tenant.id) ? null : actor.apiKeyId);
    return tenant;
  }
}
