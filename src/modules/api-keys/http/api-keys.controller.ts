import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentActor, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';
import { UuidParam } from '../../../common/http/uuid-param';
import { SomeFieldPipe } from '../../../common/http/validation';
import { ApiBadRequest } from '../../../common/http/openapi';
import { GenerateApiKeyCommand } from '../commands/generate-api-key/generate-api-key.command';
import { RevokeApiKeyCommand } from '../commands/revoke-api-key/revoke-api-key.command';
import { RotateApiKeyCommand } from '../commands/rotate-api-key/rotate-api-key.command';
import { UpdateApiKeyCommand } from '../commands/update-api-key/update-api-key.command';
import { GetApiKeyQuery } from '../queries/get-api-key/get-api-key.query';
import { ListApiKeysQuery } from '../queries/list-api-keys/list-api-keys.query';
import {
  ApiKeyDto,
  ApiKeyPageDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  ListApiKeysQueryDto,
  RevokeApiKeyQueryDto,
  RotateApiKeyDto,
  RotatedApiKeyDto,
  UPDATE_API_KEY_FIELDS,
  UpdateApiKeyDto,
} from './dto/api-key.dto';

@ApiTags('API keys')
@RequireScopes('integration:manage')
@ApiBadRequest()
@Controller('api/apikeys')
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'generateApiKey', summary: 'Generate an API key; the key is in this answer only' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiConflictResponse({ description: 'The tenant holds its maximum of active keys (BR-AK-03)', type: ProblemDetailsDto })
  async generateApiKey(@CurrentActor() actor: Actor, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { apiKey, token } = await this.commands.execute(new GenerateApiKeyCommand(actor, body.keyName, body.scopes, body.expiresAt ?? null, body.rateLimitPerHour));
    return CreatedApiKeyDto.withSecret(apiKey, token);
  }

  @Get()
  @ApiOperation({ operationId: 'listApiKeys', summary: "List the tenant's API keys (never their secrets)" })
  @ApiOkResponse({ type: ApiKeyPageDto })
  async listApiKeys(@CurrentActor() actor: Actor, @Query() query: ListApiKeysQueryDto): Promise<InstanceType<typeof ApiKeyPageDto>> {
    const page = await this.queries.execute(new ListApiKeysQuery(actor.tenantId, query.page, query.pageSize, query.status));
    return { ...page, items: page.items.map((key) => ApiKeyDto.from(key)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getApiKey', summary: 'Get an API key, with its usage' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getApiKey(@CurrentActor() actor: Actor, @UuidParam() apiKeyId: string): Promise<ApiKeyDto> {
    return ApiKeyDto.from(await this.queries.execute(new GetApiKeyQuery(actor.tenantId, apiKeyId)));
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateApiKey', summary: 'Rename a key, narrow its scopes or change its hourly limit' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'The key is revoked', type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ description: 'The scopes would widen (BR-AK-06)', type: ProblemDetailsDto })
  async updateApiKey(@CurrentActor() actor: Actor, @UuidParam() apiKeyId: string, @Body(new SomeFieldPipe(UPDATE_API_KEY_FIELDS)) body: UpdateApiKeyDto): Promise<ApiKeyDto> {
    return ApiKeyDto.from(await this.commands.execute(new UpdateApiKeyCommand(actor, apiKeyId, body)));
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke a key for good; every replica refuses it within a second' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'Already revoked (BR-AK-07)', type: ProblemDetailsDto })
  async revokeApiKey(@CurrentActor() actor: Actor, @UuidParam() apiKeyId: string, @Query() query: RevokeApiKeyQueryDto): Promise<ApiKeyDto> {
    return ApiKeyDto.from(await this.commands.execute(new RevokeApiKeyCommand(actor, apiKeyId, query.reason ?? 'Revoked by API')));
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({ operationId: 'rotateApiKey', summary: 'Issue a replacement key; the old one works until the grace period ends' })
  @ApiBody({ type: RotateApiKeyDto, required: false, description: 'Optional: without it, the default grace period' })
  @ApiOkResponse({ type: RotatedApiKeyDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'Revoked, already rotated, or no room for another active key', type: ProblemDetailsDto })
  async rotateApiKey(@CurrentActor() actor: Actor, @UuidParam() apiKeyId: string, @Body() body: RotateApiKeyDto): Promise<RotatedApiKeyDto> {
    const { previous, current, token } = await this.commands.execute(new RotateApiKeyCommand(actor, apiKeyId, body.gracePeriodSeconds));
    return { current: CreatedApiKeyDto.withSecret(current, token), previous: ApiKeyDto.from(previous) };
  }
}
