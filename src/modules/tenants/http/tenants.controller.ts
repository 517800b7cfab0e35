import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { ApiBadRequest } from '../../../common/http/openapi';
import { PageQueryDto } from '../../../common/http/pagination';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';
import { UuidParam } from '../../../common/http/uuid-param';
import { SomeFieldPipe } from '../../../common/http/validation';
import { CreatedApiKeyDto } from '../../api-keys/http/dto/api-key.dto';
import { CreateTenantCommand } from '../commands/create-tenant/create-tenant.command';
import { UpdateTenantCommand } from '../commands/update-tenant/update-tenant.command';
import { GetTenantQuery } from '../queries/get-tenant/get-tenant.query';
import { ListTenantsQuery } from '../queries/list-tenants/list-tenants.query';
import { CreatedTenantDto, CreateTenantDto, TenantDto, TenantPageDto, UPDATE_TENANT_FIELDS, UpdateTenantDto } from './dto/tenant.dto';

@ApiTags('Tenants')
@RequireScopes('platform:admin')
@ApiBadRequest()
@Controller('api/tenants')
export class TenantsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createTenant', summary: 'Create a tenant; its first admin key is in this answer only' })
  @ApiCreatedResponse({ type: CreatedTenantDto })
  async createTenant(@CurrentActor() actor: Actor, @Body() body: CreateTenantDto): Promise<CreatedTenantDto> {
    const limits = { maxActiveApiKeys: body.maxActiveApiKeys ?? null, maxWebhooks: body.maxWebhooks ?? null };
    const { tenant, adminKey, token } = await this.commands.execute(new CreateTenantCommand(actor, body.name, limits));
    return { tenant: TenantDto.from(tenant), adminKey: CreatedApiKeyDto.withSecret(adminKey, token) };
  }

  @Get()
  @ApiOperation({ operationId: 'listTenants', summary: 'List tenants' })
  @ApiOkResponse({ type: TenantPageDto })
  async listTenants(@Query() query: PageQueryDto): Promise<InstanceType<typeof TenantPageDto>> {
    const page = await this.queries.execute(new ListTenantsQuery(query.page, query.pageSize));
    return { ...page, items: page.items.map((tenant) => TenantDto.from(tenant)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getTenant', summary: 'Get a tenant' })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getTenant(@UuidParam() tenantId: string): Promise<TenantDto> {
    return TenantDto.from(await this.queries.execute(new GetTenantQuery(tenantId)));
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateTenant',
    summary: 'Rename a tenant or change its limits of active API keys and webhooks',
    description:
      'Absent fields stay as they are; at least one must be given. A limit set to null follows the configured default again. ' +
      'A limit below what the tenant already holds is accepted and deletes nothing: it only refuses new keys or webhooks (409) until the count drops under it.',
  })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async updateTenant(@CurrentActor() actor: Actor, @UuidParam() tenantId: string, @Body(new SomeFieldPipe(UPDATE_TENANT_FIELDS)) body: UpdateTenantDto): Promise<TenantDto> {
    return TenantDto.from(await this.commands.execute(new UpdateTenantCommand(actor, tenantId, body)));
  }
}
