import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentActor, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { iso } from '../../../common/http/iso';
import { ApiBadRequest } from '../../../common/http/openapi';
import { PageQueryDto } from '../../../common/http/pagination';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';
import { OversizedBodyIs } from '../../../common/http/problem-details.filter';
import { PublishEventCommand } from '../commands/publish-event/publish-event.command';
import { RegisterEventTypeCommand } from '../commands/register-event-type/register-event-type.command';
import { WebhookErrorCode } from '../domain/webhook.errors';
import { ListEventTypesQuery } from '../queries/list-event-types/list-event-types.query';
import { EventTypeDto, EventTypePageDto, PublishedEventDto, PublishEventDto, RegisterEventTypeDto } from './dto/event.dto';

/**
 * The events API: the platform's other services publish application events here, and they reach subscribed
 * webhooks exactly as this service's own domain events do. Publishing and registering types needs
 * `events:publish`; reading the catalog (what webhooks can subscribe to) needs `webhook:manage`.
 */
@ApiTags('Events')
@ApiBadRequest()
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScopes('events:publish')
  @ApiOperation({ operationId: 'publishEvent', summary: 'Publish an application event to every webhook subscribed to its type' })
  @ApiAcceptedResponse({ type: PublishedEventDto })
  @ApiPayloadTooLargeResponse({ description: 'The webhook body would exceed 1 MB (BR-WH-08)', type: ProblemDetailsDto })
  @OversizedBodyIs('data', WebhookErrorCode.PayloadTooLarge)
  @ApiUnprocessableEntityResponse({ description: 'Unknown or reserved event type, data that breaks its schema, or data holding a character that cannot be stored (U+0000, an unpaired UTF-16 surrogate)', type: ProblemDetailsDto })
  async publishEvent(@CurrentActor() actor: Actor, @Body() body: PublishEventDto): Promise<PublishedEventDto> {
    const event = await this.commands.execute(new PublishEventCommand(actor, body.eventType, body.data, body.idempotencyKey));
    return { id: event.id, eventType: event.eventType, timestamp: event.occurredAt.toISOString(), duplicate: event.duplicate };
  }

  @Post('types')
  @RequireScopes('events:publish')
  @ApiOperation({ operationId: 'registerEventType', summary: 'Register an application event type, optionally with a JSON schema for its data' })
  @ApiCreatedResponse({ type: EventTypeDto })
  @ApiConflictResponse({ description: 'The tenant already has a type of that name', type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ description: 'A name of this service’s own events, or a schema that does not compile', type: ProblemDetailsDto })
  async registerEventType(@CurrentActor() actor: Actor, @Body() body: RegisterEventTypeDto): Promise<EventTypeDto> {
    const type = await this.commands.execute(new RegisterEventTypeCommand(actor, body.name, body.description ?? null, body.schema ?? null));
    return { name: type.name, source: 'Application', description: type.description, schema: type.schema, createdAt: iso(type.createdAt) };
  }

  @Get('types')
  @RequireScopes('webhook:manage')
  @ApiOperation({ operationId: 'listEventTypes', summary: "The event catalog: this service's domain events, then the tenant's registered types" })
  @ApiOkResponse({ type: EventTypePageDto })
  async listEventTypes(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<InstanceType<typeof EventTypePageDto>> {
    const page = await this.queries.execute(new ListEventTypesQuery(actor.tenantId, query.page, query.pageSize));
    return { ...page, items: page.items.map((entry) => ({ ...entry, createdAt: iso(entry.createdAt) })) };
  }
}
