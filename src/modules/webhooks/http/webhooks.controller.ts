import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentActor, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { iso } from '../../../common/http/iso';
import { ApiBadRequest } from '../../../common/http/openapi';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';
import { UuidParam } from '../../../common/http/uuid-param';
import { SomeFieldPipe } from '../../../common/http/validation';
import { CreateWebhookCommand } from '../commands/create-webhook/create-webhook.command';
import { DeleteWebhookCommand } from '../commands/delete-webhook/delete-webhook.command';
import { RecoverWebhookDeliveriesCommand } from '../commands/recover-webhook-deliveries/recover-webhook-deliveries.command';
import { ReplayWebhookDeliveryCommand } from '../commands/replay-webhook-delivery/replay-webhook-delivery.command';
import { RotateWebhookSecretCommand } from '../commands/rotate-webhook-secret/rotate-webhook-secret.command';
import { SendTestWebhookCommand } from '../commands/send-test-webhook/send-test-webhook.command';
import { UpdateWebhookCommand } from '../commands/update-webhook/update-webhook.command';
import { GetWebhookQuery } from '../queries/get-webhook/get-webhook.query';
import { GetWebhookDeliveryQuery } from '../queries/get-webhook-delivery/get-webhook-delivery.query';
import { GetWebhookHealthQuery } from '../queries/get-webhook-health/get-webhook-health.query';
import { GetWebhookSecretQuery } from '../queries/get-webhook-secret/get-webhook-secret.query';
import { ListWebhookDeliveriesQuery } from '../queries/list-webhook-deliveries/list-webhook-deliveries.query';
import { ListWebhooksQuery } from '../queries/list-webhooks/list-webhooks.query';
import {
  CreateWebhookDto,
  DeliveryAttemptDto,
  ListWebhookDeliveriesQueryDto,
  RecoveredDeliveriesDto,
  RecoverWebhookDto,
  RotateWebhookSecretDto,
  UPDATE_WEBHOOK_FIELDS,
  UpdateWebhookDto,
  WebhookDeliveryDetailDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookHealthDto,
  WebhookPageDto,
  WebhookSecretDto,
} from './dto/webhook.dto';
import { PageQueryDto } from '../../../common/http/pagination';

@ApiTags('Webhooks')
@RequireScopes('webhook:manage')
@ApiBadRequest()
@Controller('api/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createWebhook', summary: 'Subscribe an HTTPS endpoint to event types; it gets a signed verification request first' })
  @ApiCreatedResponse({ type: WebhookDto })
  @ApiConflictResponse({ description: 'The tenant has its maximum of webhooks (BR-WH-07)', type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ description: 'Unknown event type, or the verification request did not get a 2xx answer', type: ProblemDetailsDto })
  async createWebhook(@CurrentActor() actor: Actor, @Body() body: CreateWebhookDto): Promise<WebhookDto> {
    return WebhookDto.from(await this.commands.execute(new CreateWebhookCommand(actor, settingsOf(body), body.secret)));
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhooks', summary: "List the tenant's webhooks (never their secrets)" })
  @ApiOkResponse({ type: WebhookPageDto })
  async listWebhooks(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<InstanceType<typeof WebhookPageDto>> {
    const page = await this.queries.execute(new ListWebhooksQuery(actor.tenantId, query.page, query.pageSize));
    return { ...page, items: page.items.map((webhook) => WebhookDto.from(webhook)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWebhook', summary: 'Get a webhook with its counters' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getWebhook(@CurrentActor() actor: Actor, @UuidParam() webhookId: string): Promise<WebhookDto> {
    return WebhookDto.from(await this.queries.execute(new GetWebhookQuery(actor.tenantId, webhookId)));
  }

  @Put(':id')
  @ApiOperation({ operationId: 'updateWebhook', summary: 'Change URL, event types, retry policy or timeout; disable or enable' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ description: 'Unknown event type, or a new URL whose verification request did not get a 2xx answer', type: ProblemDetailsDto })
  async updateWebhook(@CurrentActor() actor: Actor, @UuidParam() webhookId: string, @Body(new SomeFieldPipe(UPDATE_WEBHOOK_FIELDS)) body: UpdateWebhookDto): Promise<WebhookDto> {
    return WebhookDto.from(await this.commands.execute(new UpdateWebhookCommand(actor, webhookId, changesOf(body))));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Delete a webhook and its delivery log' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async deleteWebhook(@CurrentActor() actor: Actor, @UuidParam() webhookId: string): Promise<void> {
    await this.commands.execute(new DeleteWebhookCommand(actor, webhookId));
  }

  @Get(':id/secret')
  @ApiOperation({ operationId: 'getWebhookSecret', summary: 'The signing secret (whsec_…): shown here, and in the answer to the rotation that issues a new one' })
  @ApiOkResponse({ type: WebhookSecretDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getWebhookSecret(@CurrentActor() actor: Actor, @UuidParam() webhookId: string): Promise<WebhookSecretDto> {
    const { secret, previousSecretExpiresAt } = await this.queries.execute(new GetWebhookSecretQuery(actor.tenantId, webhookId));
    return { secret, previousSecretExpiresAt: iso(previousSecretExpiresAt) };
  }

  @Post(':id/secret/rotate')
  @HttpCode(200)
  @ApiOperation({ operationId: 'rotateWebhookSecret', summary: 'Issue a new secret; deliveries carry signatures of both until the grace period ends' })
  @ApiBody({ type: RotateWebhookSecretDto, required: false, description: 'Optional: without it, the default grace period' })
  @ApiOkResponse({ type: WebhookSecretDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'webhook.rotation_in_progress: an earlier rotation\'s grace period is still running (a grace period of 0 is always accepted)' })
  async rotateWebhookSecret(@CurrentActor() actor: Actor, @UuidParam() webhookId: string, @Body() body: RotateWebhookSecretDto): Promise<WebhookSecretDto> {
    const { webhook, secret } = await this.commands.execute(new RotateWebhookSecretCommand(actor, webhookId, body.gracePeriodSeconds));
    return { secret, previousSecretExpiresAt: iso(webhook.previousSecretExpiresAt) };
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ operationId: 'sendTestWebhook', summary: 'Queue a signed WebhookTest delivery to the endpoint' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'The webhook is disabled', type: ProblemDetailsDto })
  async sendTestWebhook(@CurrentActor() actor: Actor, @UuidParam() webhookId: string): Promise<WebhookDeliveryDto> {
    return WebhookDeliveryDto.from(await this.commands.execute(new SendTestWebhookCommand(actor, webhookId)));
  }

  @Get(':id/health')
  @ApiOperation({ operationId: 'getWebhookHealth', summary: 'Failure rate over the last hour, alert state, failing streak' })
  @ApiOkResponse({ type: WebhookHealthDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getWebhookHealth(@CurrentActor() actor: Actor, @UuidParam() webhookId: string): Promise<WebhookHealthDto> {
    const health = await this.queries.execute(new GetWebhookHealthQuery(actor.tenantId, webhookId));
    return { ...health, failingSince: iso(health.failingSince) };
  }

  @Get(':id/deliveries')
  @ApiOperation({ operationId: 'listWebhookDeliveries', summary: 'The delivery log, newest first, by status, event type and time' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async listWebhookDeliveries(
    @CurrentActor() actor: Actor,
    @UuidParam() webhookId: string,
    @Query() query: ListWebhookDeliveriesQueryDto,
  ): Promise<InstanceType<typeof WebhookDeliveryPageDto>> {
    const { page, pageSize, ...filter } = query;
    const result = await this.queries.execute(new ListWebhookDeliveriesQuery(actor.tenantId, webhookId, filter, page, pageSize));
    return { ...result, items: result.items.map((delivery) => WebhookDeliveryDto.from(delivery)) };
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ operationId: 'getWebhookDelivery', summary: 'One delivery with its body and every attempt' })
  @ApiOkResponse({ type: WebhookDeliveryDetailDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getWebhookDelivery(@CurrentActor() actor: Actor, @UuidParam() webhookId: string, @UuidParam('deliveryId') deliveryId: string): Promise<WebhookDeliveryDetailDto> {
    const { delivery, attempts } = await this.queries.execute(new GetWebhookDeliveryQuery(actor.tenantId, webhookId, deliveryId));
    return { ...WebhookDeliveryDto.from(delivery), payload: delivery.payload, attempts: attempts.map((attempt) => DeliveryAttemptDto.from(attempt)) };
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiOperation({ operationId: 'replayWebhookDelivery', summary: 'Send a delivery again (same webhook-id), with a fresh retry budget' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'Already queued, or the webhook is disabled', type: ProblemDetailsDto })
  async replayWebhookDelivery(@CurrentActor() actor: Actor, @UuidParam() webhookId: string, @UuidParam('deliveryId') deliveryId: string): Promise<WebhookDeliveryDto> {
    return WebhookDeliveryDto.from(await this.commands.execute(new ReplayWebhookDeliveryCommand(actor, webhookId, deliveryId)));
  }

  @Post(':id/recover')
  @HttpCode(202)
  @ApiOperation({ operationId: 'recoverWebhookDeliveries', summary: 'Send again every failed or expired delivery since a time (after an outage)' })
  @ApiAcceptedResponse({ type: RecoveredDeliveriesDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'The webhook is disabled', type: ProblemDetailsDto })
  async recoverWebhookDeliveries(@CurrentActor() actor: Actor, @UuidParam() webhookId: string, @Body() body: RecoverWebhookDto): Promise<RecoveredDeliveriesDto> {
    return { requeued: await this.commands.execute(new RecoverWebhookDeliveriesCommand(actor, webhookId, body.since)) };
  }
}

function settingsOf(body: CreateWebhookDto) {
  return {
    url: body.url,
    description: body.description ?? null,
    eventTypes: body.eventTypes,
    maxRetries: body.retryPolicy?.maxRetries ?? 5,
    backoffMultiplier: body.retryPolicy?.backoffMultiplier ?? 2,
    timeoutSeconds: body.timeoutSeconds ?? 30,
    integrationId: body.integrationId ?? null,
  };
}

function changesOf(body: UpdateWebhookDto) {
  return {
    url: body.url,
    description: body.description,
    eventTypes: body.eventTypes,
    maxRetries: body.retryPolicy?.maxRetries,
    backoffMultiplier: body.retryPolicy?.backoffMultiplier,
    timeoutSeconds: body.timeoutSeconds,
    isActive: body.isActive,
  };
}
