import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ApiKey } from '../api-keys/domain/api-key.entity';
import { CreateTenantHandler } from './commands/create-tenant/create-tenant.handler';
import { UpdateTenantHandler } from './commands/update-tenant/update-tenant.handler';
import { Tenant } from './domain/tenant.entity';
import { TenantsController } from './http/tenants.controller';
import { GetTenantHandler } from './queries/get-tenant/get-tenant.handler';
import { ListTenantsHandler } from './queries/list-tenants/list-tenants.handler';

/** Tenants: the platform operator's view (scope platform:admin). Every other module is scoped to one tenant. */
@Module({
  imports: [MikroOrmModule.forFeature([Tenant, ApiKey])],
  controllers: [TenantsController],
  providers: [CreateTenantHandler, UpdateTenantHandler, ListTenantsHandler, GetTenantHandler],
})
export class TenantsModule {}
