import { Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBody,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentActor, Public, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { DateTimeField, EnumField, StringField } from '../../../common/http/fields';
import { AcceptsAnyBody } from '../../../common/http/configure-http';
import { iso } from '../../../common/http/iso';
import { ApiBadRequest } from '../../../common/http/openapi';
import { PageOf, PageQueryDto } from '../../../common/http/pagination';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';
import { UuidParam } from '../../../common/http/uuid-param';
import { ReceiveWebhookCommand } from '../commands/receive-webhook/receive-webhook.command';
import { INBOUND_EVENT_STATUSES, InboundEventStatus, InboundWebhookEvent } from '../domain/inbound-webhook-event.entity';
import { ListIncomingEventsQuery } from '../queries/list-incoming-events/list-incoming-events.query';

export class ReceivedWebhookDto {
  @ApiProperty({ example: true }) received: boolean;
  @ApiProperty({ description: 'True when this delivery was seen before: acknowledged, not processed again' }) duplicate: boolean;
}

export class ListIncomingEventsQueryDto extends PageQueryDto {
  @EnumField(INBOUND_EVENT_STATUSES, { enumName: 'InboundEventStatus', optional: true }) status?: InboundEventStatus;
  @StringField({ maxLength: 200, optional: true, example: 'charge.refunded' }) eventType?: string;
  @DateTimeField({ optional: true }) since?: Date;
  @DateTimeField({ optional: true }) until?: Date;
}

export class IncomingEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) integrationId: string;
  @ApiProperty({ example: 'Stripe' }) provider: string;
  @ApiProperty({ example: 'stripe', description: 'The signature scheme it was verified with' }) scheme: string;
  @ApiProperty({ description: 'Stored events all passed verification; refusals are counted, never stored' }) verified: boolean;
  @ApiProperty({ example: 'evt_1Q2w3E', description: "The provider's delivery or event id (sha256:… of the body when it sends none)" }) dedupeKey: string;
  @ApiProperty({ type: String, nullable: true, example: 'charge.refunded' }) eventType: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers: Record<string, string>;
  @ApiProperty({ description: 'The body exactly as received' }) body: string;
  @ApiProperty({ example: '203.0.113.7' }) sourceIp: string;
  @ApiProperty({ type: String, format: 'date-time' }) receivedAt: string;
  @ApiProperty({ enum: INBOUND_EVENT_STATUSES, enumName: 'InboundEventStatus' }) status: InboundEventStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) processedAt: string | null;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;

  static from(event: InboundWebhookEvent): IncomingEventDto {
    const { id, integrationId, provider, scheme, dedupeKey, eventType, headers, body, sourceIp, status, attempts, lastError } = event;
    return { id, integrationId, provider, scheme, verified: true, dedupeKey, eventType, headers, body, sourceIp, receivedAt: event.receivedAt.toISOString(), status, processedAt: iso(event.processedAt), attempts, lastError };
  }
}

export const IncomingEventPageDto = PageOf(IncomingEventDto, 'IncomingEventPage');

type RawRequest = FastifyRequest & { rawBody?: Buffer };

@ApiTags('Incoming webhooks')
@Controller()
export class IncomingWebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('api/webhooks/incoming/:integrationId')
  @Public()
  @AcceptsAnyBody()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'receiveIncomingWebhook',
    summary: "A provider's callback. No API key: verified by the integration's signature scheme (Stripe, GitHub, Standard Webhooks or HMAC)",
  })
  @ApiBody({
    description: 'The provider payload, verified over its exact bytes: JSON, or any other content type (a form, XML, plain text, multipart), kept as sent',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiOkResponse({ type: ReceivedWebhookDto })
  @ApiUnauthorizedResponse({ description: 'Missing, malformed or wrong signature, or a timestamp outside the tolerance', type: ProblemDetailsDto })
  @ApiForbiddenResponse({ description: 'The source address is not in the allow-list', type: ProblemDetailsDto })
  @ApiNotFoundResponse({ description: 'No integration receives webhooks at this id', type: ProblemDetailsDto })
  @ApiPayloadTooLargeResponse({ description: 'Bodies are limited to 1 MB', type: ProblemDetailsDto })
  async receiveIncomingWebhook(@UuidParam('integrationId') integrationId: string, @Req() request: RawRequest): Promise<ReceivedWebhookDto> {
    const { duplicate } = await this.commands.execute(
      new ReceiveWebhookCommand(integrationId, request.rawBody ?? Buffer.alloc(0), request.headers, request.ip, String(request.id)),
    );
    return { received: true, duplicate };
  }

  @Get('api/integrations/:id/incoming-events')
  @RequireScopes('integration:read')
  @ApiBadRequest()
  @ApiOperation({ operationId: 'listIncomingEvents', summary: 'What providers sent to an integration, newest first' })
  @ApiOkResponse({ type: IncomingEventPageDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async listIncomingEvents(@CurrentActor() actor: Actor, @UuidParam() integrationId: string, @Query() query: ListIncomingEventsQueryDto): Promise<InstanceType<typeof IncomingEventPageDto>> {
    const { page, pageSize, ...filter } = query;
    const result = await this.queries.execute(new ListIncomingEventsQuery(actor.tenantId, integrationId, filter, page, pageSize));
    return { ...result, items: result.items.map((event) => IncomingEventDto.from(event)) };
  }
}
