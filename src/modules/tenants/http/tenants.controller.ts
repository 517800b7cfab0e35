import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { ApiBadRequest } from '../../../common/http/openapi';
import { PageQueryDto } from '../../../common/http/pagination';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';
import { UuidParam } from '../../../common/http/uuid-param';
import { CreatedApiKeyDto } from '../../api-keys/http/dto/api-key.dto';
import { CreateTenantCommand } from '../commands/create-tenant/create-tenant.command';
import { GetTenantQuery } from '../queries/get-tenant/get-tenant.query';
import { ListTenantsQuery } from '../queries/list-tenants/list-tenants.query';
import { CreatedTenantDto, CreateTenantDto, TenantDto, TenantPageDto } from './dto/tenant.dto';

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
    const { tenant, adminKey, token } = await this.commands.execute(new CreateTenantCommand(actor, body.name, body.maxActiveApiKeys));
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
}
