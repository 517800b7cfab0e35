import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentActor, Public, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { ApiBadRequest } from '../../../common/http/openapi';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';
import { UuidParam } from '../../../common/http/uuid-param';
import { SomeFieldPipe } from '../../../common/http/validation';
import { CompleteCalendarAuthorizationCommand } from '../commands/complete-calendar-authorization/complete-calendar-authorization.command';
import { CreateIntegrationCommand } from '../commands/create-integration/create-integration.command';
import { DisconnectIntegrationCommand } from '../commands/disconnect-integration/disconnect-integration.command';
import { ReviewIntegrationCommand } from '../commands/review-integration/review-integration.command';
import { StartCalendarAuthorizationCommand } from '../commands/start-calendar-authorization/start-calendar-authorization.command';
import { TestIntegrationCommand } from '../commands/test-integration/test-integration.command';
import { UpdateIntegrationCommand } from '../commands/update-integration/update-integration.command';
import { UpdateIntegrationSettingsCommand } from '../commands/update-integration-settings/update-integration-settings.command';
import { GetIntegrationQuery } from '../queries/get-integration/get-integration.query';
import { GetIntegrationSettingsQuery } from '../queries/get-integration-settings/get-integration-settings.query';
import { ListIntegrationLogsQuery } from '../queries/list-integration-logs/list-integration-logs.query';
import { ListIntegrationsQuery } from '../queries/list-integrations/list-integrations.query';
import {
  AuthorizationStartedDto,
  CreateIntegrationDto,
  DisconnectIntegrationQueryDto,
  IntegrationDto,
  IntegrationHealthDto,
  IntegrationLogDto,
  IntegrationLogPageDto,
  IntegrationPageDto,
  IntegrationSettingsViewDto,
  IntegrationTestResultDto,
  ListIntegrationLogsQueryDto,
  ListIntegrationsQueryDto,
  OAuthCallbackQueryDto,
  ReviewIntegrationDto,
  StartAuthorizationDto,
  UPDATE_INTEGRATION_FIELDS,
  UpdateIntegrationDto,
  UpdateIntegrationSettingsDto,
} from './dto/integration.dto';
import { IntegrationPresenter } from './integration-presenter';

@ApiTags('Integrations')
@ApiBadRequest()
@Controller('api/integrations')
export class IntegrationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly presenter: IntegrationPresenter,
  ) {}

  @Post()
  @RequireScopes('integration:admin')
  @ApiOperation({ operationId: 'createIntegration', summary: 'Create an integration in Draft; its configuration is stored encrypted. Test it to activate it.' })
  @ApiCreatedResponse({ type: IntegrationDto })
  async createIntegration(@CurrentActor() actor: Actor, @Body() body: CreateIntegrationDto): Promise<IntegrationDto> {
    return this.presenter.toDto(await this.commands.execute(new CreateIntegrationCommand(actor, body.name, body.integrationType, body.provider, body.configuration)));
  }

  @Get()
  @RequireScopes('integration:read')
  @ApiOperation({ operationId: 'listIntegrations', summary: "List the tenant's integrations, newest first, filtered by type, status or provider" })
  @ApiOkResponse({ type: IntegrationPageDto })
  async listIntegrations(@CurrentActor() actor: Actor, @Query() query: ListIntegrationsQueryDto): Promise<InstanceType<typeof IntegrationPageDto>> {
    // The list's read model is already the API's shape (ISO timestamps, no configuration): no mapping per row.
    return this.queries.execute(new ListIntegrationsQuery(actor.tenantId, query.page, query.pageSize, { type: query.type, status: query.status, provider: query.provider }));
  }

  @Get('settings')
  @RequireScopes('integration:read')
  @ApiOperation({ operationId: 'getIntegrationSettings', summary: "The tenant's integration rules: which kinds allow only one Active integration" })
  @ApiOkResponse({ type: IntegrationSettingsViewDto })
  async getIntegrationSettings(@CurrentActor() actor: Actor): Promise<IntegrationSettingsViewDto> {
    return IntegrationSettingsViewDto.from(await this.queries.execute(new GetIntegrationSettingsQuery(actor.tenantId)));
  }

  @Put('settings')
  @RequireScopes('integration:admin')
  @ApiOperation({ operationId: 'updateIntegrationSettings', summary: 'Choose the kinds of which the tenant may have only one Active integration (BR-IM-01)' })
  @ApiOkResponse({ type: IntegrationSettingsViewDto })
  @ApiConflictResponse({ description: 'A kind made single-provider already has several Active integrations', type: ProblemDetailsDto })
  async updateIntegrationSettings(@CurrentActor() actor: Actor, @Body() body: UpdateIntegrationSettingsDto): Promise<IntegrationSettingsViewDto> {
    return IntegrationSettingsViewDto.from(await this.commands.execute(new UpdateIntegrationSettingsCommand(actor, body.singleProviderTypes)));
  }

  @Get('oauth/callback')
  @Public()
  @ApiOperation({ operationId: 'completeIntegrationAuthorization', summary: "The OAuth provider's redirect back after the user granted (or refused) access; the one-time state authenticates it" })
  @ApiOkResponse({ type: IntegrationTestResultDto })
  @ApiUnprocessableEntityResponse({ description: 'The user or the provider refused access', type: ProblemDetailsDto })
  async completeIntegrationAuthorization(@Query() query: OAuthCallbackQueryDto, @Req() request: FastifyRequest): Promise<IntegrationTestResultDto> {
    const report = await this.commands.execute(new CompleteCalendarAuthorizationCommand(query.state, query.code, query.error, String(request.id)));
    return IntegrationTestResultDto.from(report.outcome, report.integration);
  }

  @Get(':id')
  @RequireScopes('integration:read')
  @ApiOperation({ operationId: 'getIntegration', summary: 'Get an integration, its configuration masked' })
  @ApiOkResponse({ type: IntegrationDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getIntegration(@CurrentActor() actor: Actor, @UuidParam() integrationId: string): Promise<IntegrationDto> {
    return this.presenter.toDto(await this.queries.execute(new GetIntegrationQuery(actor.tenantId, integrationId)));
  }

  @Put(':id')
  @RequireScopes('integration:admin')
  @ApiOperation({ operationId: 'updateIntegration', summary: 'Rename, enable or disable, or change the configuration (which sends it back to Draft until tested)' })
  @ApiOkResponse({ type: IntegrationDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'Disconnected, or in Error and not yet reviewed', type: ProblemDetailsDto })
  async updateIntegration(@CurrentActor() actor: Actor, @UuidParam() integrationId: string, @Body(new SomeFieldPipe(UPDATE_INTEGRATION_FIELDS)) body: UpdateIntegrationDto): Promise<IntegrationDto> {
    return this.presenter.toDto(await this.commands.execute(new UpdateIntegrationCommand(actor, integrationId, body)));
  }

  @Delete(':id')
  @RequireScopes('integration:admin')
  @ApiOperation({ operationId: 'disconnectIntegration', summary: 'Disconnect an integration for good; its logs and audit trail stay' })
  @ApiOkResponse({ type: IntegrationDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'Already disconnected', type: ProblemDetailsDto })
  async disconnectIntegration(@CurrentActor() actor: Actor, @UuidParam() integrationId: string, @Query() query: DisconnectIntegrationQueryDto): Promise<IntegrationDto> {
    return this.presenter.toDto(await this.commands.execute(new DisconnectIntegrationCommand(actor, integrationId, query.reason ?? 'Disconnected by API')));
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequireScopes('integration:admin')
  @ApiOperation({ operationId: 'testIntegration', summary: 'Validate the credentials and send a test transaction or message; a passing Draft integration becomes Active' })
  @ApiOkResponse({ type: IntegrationTestResultDto, description: 'The test ran; `success` says whether the provider agreed' })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'Another Active integration of a single-provider kind (BR-IM-01), in Error (review first), disconnected, or not yet authorized', type: ProblemDetailsDto })
  async testIntegration(@CurrentActor() actor: Actor, @UuidParam() integrationId: string): Promise<IntegrationTestResultDto> {
    const report = await this.commands.execute(new TestIntegrationCommand(actor, integrationId));
    return IntegrationTestResultDto.from(report.outcome, report.integration);
  }

  @Get(':id/health')
  @RequireScopes('integration:read')
  @ApiOperation({ operationId: 'getIntegrationHealth', summary: 'Health of an integration: status, response times, failures in a row, success rate' })
  @ApiOkResponse({ type: IntegrationHealthDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getIntegrationHealth(@CurrentActor() actor: Actor, @UuidParam() integrationId: string): Promise<IntegrationHealthDto> {
    return IntegrationHealthDto.from(await this.queries.execute(new GetIntegrationQuery(actor.tenantId, integrationId)));
  }

  @Get(':id/logs')
  @RequireScopes('integration:read')
  @ApiOperation({ operationId: 'listIntegrationLogs', summary: "An integration's log: configuration changes, tests, health results and errors, newest first" })
  @ApiOkResponse({ type: IntegrationLogPageDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async listIntegrationLogs(@CurrentActor() actor: Actor, @UuidParam() integrationId: string, @Query() query: ListIntegrationLogsQueryDto): Promise<InstanceType<typeof IntegrationLogPageDto>> {
    const page = await this.queries.execute(new ListIntegrationLogsQuery(actor.tenantId, integrationId, query.page, query.pageSize, query.logLevel));
    return { ...page, items: page.items.map((log) => IntegrationLogDto.from(log)) };
  }

  @Post(':id/review')
  @HttpCode(200)
  @RequireScopes('integration:admin')
  @ApiOperation({ operationId: 'reviewIntegration', summary: 'Record the manual review of an integration in Error; it returns to Draft (BR-IM-05)' })
  @ApiOkResponse({ type: IntegrationDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'The integration is not in Error', type: ProblemDetailsDto })
  async reviewIntegration(@CurrentActor() actor: Actor, @UuidParam() integrationId: string, @Body() body: ReviewIntegrationDto): Promise<IntegrationDto> {
    return this.presenter.toDto(await this.commands.execute(new ReviewIntegrationCommand(actor, integrationId, body.note)));
  }

  @Post(':id/authorize')
  @HttpCode(200)
  @RequireScopes('integration:admin')
  @ApiOperation({ operationId: 'authorizeIntegration', summary: 'Start the OAuth authorization (code + PKCE) of a calendar integration: send the user to authorizationUrl' })
  @ApiBody({ type: StartAuthorizationDto, required: false, description: 'Optional: without it, INTEGRATIONS_OAUTH_REDIRECT_URL' })
  @ApiOkResponse({ type: AuthorizationStartedDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ description: 'The provider does not use OAuth', type: ProblemDetailsDto })
  async authorizeIntegration(@CurrentActor() actor: Actor, @UuidParam() integrationId: string, @Body() body: StartAuthorizationDto): Promise<AuthorizationStartedDto> {
    const started = await this.commands.execute(new StartCalendarAuthorizationCommand(actor, integrationId, body.redirectUri));
    return { ...started, expiresAt: started.expiresAt.toISOString() };
  }
}
