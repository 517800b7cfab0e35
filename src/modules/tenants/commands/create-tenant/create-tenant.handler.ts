import { Inject } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { TENANT_ADMIN_SCOPES } from '../../../../common/auth/scopes';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { ApiKey } from '../../../api-keys/domain/api-key.entity';
import { Tenant } from '../../domain/tenant.entity';
import { CreateTenantCommand, CreatedTenant } from './create-tenant.command';

/**
 * A new tenant and its first admin key: every scope but platform:admin, returned once. The key is the new
 * tenant's, so its `createdBy` is null (the platform, as for the bootstrap key), never the operator's key: a
 * tenant does not learn of another tenant's keys. The operator's own audit trail records who created both.
 */
@CommandHandler(CreateTenantCommand)
export class CreateTenantHandler implements ICommandHandler<CreateTenantCommand> {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, name, limits }: CreateTenantCommand): Promise<CreatedTenant> {
    const tenant = Tenant.create(name, limits, actor.apiKeyId);
    const { apiKey, token } = ApiKey.generate({
      tenantId: tenant.id,
      keyName: 'Tenant admin key',
      scopes: TENANT_ADMIN_SCOPES,
      expiresAt: null,
      rateLimitPerHour: this.config.apiKeys.defaultRateLimitPerHour,
      createdBy: null,
    });
    this.em.persist([tenant, apiKey]);
    return { tenant, adminKey: apiKey, token };
  }
}
