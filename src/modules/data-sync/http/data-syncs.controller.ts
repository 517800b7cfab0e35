import { Body, Controller, Delete, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest, CurrentActor, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { ApiBadRequest } from '../../../common/http/openapi';
import { ProblemDetailsDto } from '../../../common/http/problem-details.dto';
import { ParseTextPipe, UuidParam } from '../../../common/http/uuid-param';
import { CancelDataSyncCommand } from '../commands/cancel-data-sync/cancel-data-sync.command';
import { CreateDataSyncCommand } from '../commands/create-data-sync/create-data-sync.command';
import { WriteSyncedRecordCommand } from '../commands/write-synced-record/write-synced-record.command';
import { DataSyncStream } from '../infrastructure/data-sync-stream';
import { GetDataSyncQuery } from '../queries/get-data-sync/get-data-sync.query';
import { ListDataSyncLogsQuery } from '../queries/list-data-sync-logs/list-data-sync-logs.query';
import { ListDataSyncsQuery } from '../queries/list-data-syncs/list-data-syncs.query';
import { ListSyncedRecordsQuery } from '../queries/list-synced-records/list-synced-records.query';
import {
  CreateDataSyncDto,
  DataSyncDto,
  DataSyncLogDto,
  DataSyncLogPageDto,
  DataSyncPageDto,
  ListDataSyncLogsQueryDto,
  ListDataSyncsQueryDto,
  ListSyncedRecordsQueryDto,
  SyncedRecordDto,
  SyncedRecordPageDto,
  decodeRecordCursor,
  encodeRecordCursor,
  WriteSyncedRecordDto,
  WrittenSyncedRecordDto,
} from './dto/data-sync.dto';

const DATA_SYNC_SCOPE = 'datasync:manage';

@ApiTags('Data sync')
@RequireScopes(DATA_SYNC_SCOPE)
@ApiBadRequest()
@Controller('api/datasyncs')
export class DataSyncsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly stream: DataSyncStream,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createDataSync', summary: 'Schedule a sync of an Active integration (now when scheduledAt is absent)' })
  @ApiCreatedResponse({ type: DataSyncDto })
  @ApiConflictResponse({ description: 'A Full sync within a day or an Incremental within an hour of another, counted from when each runs (BR-DS-01/02); nextAllowedAt says when', type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ description: 'Unknown or inactive integration, refused credentials, or no sync configuration', type: ProblemDetailsDto })
  async createDataSync(@CurrentActor() actor: Actor, @Body() body: CreateDataSyncDto): Promise<DataSyncDto> {
    return DataSyncDto.from(await this.commands.execute(new CreateDataSyncCommand(actor, body.integrationId, body.syncType, body.direction, body.scheduledAt ?? new Date())));
  }

  @Get()
  @ApiOperation({ operationId: 'listDataSyncs', summary: 'List sync jobs by integration, status, type and scheduled time' })
  @ApiOkResponse({ type: DataSyncPageDto })
  async listDataSyncs(@CurrentActor() actor: Actor, @Query() query: ListDataSyncsQueryDto): Promise<InstanceType<typeof DataSyncPageDto>> {
    const { page, pageSize, ...filter } = query;
    const result = await this.queries.execute(new ListDataSyncsQuery(actor.tenantId, filter, page, pageSize));
    return { ...result, items: result.items.map((job) => DataSyncDto.from(job)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getDataSync', summary: 'A sync job with its counts and progress (percent, rate, estimated completion)' })
  @ApiOkResponse({ type: DataSyncDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async getDataSync(@CurrentActor() actor: Actor, @UuidParam() jobId: string): Promise<DataSyncDto> {
    return DataSyncDto.from(await this.queries.execute(new GetDataSyncQuery(actor.tenantId, jobId)));
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'cancelDataSync', summary: 'Cancel a sync job: at once when not started, at the next batch boundary when running' })
  @ApiOkResponse({ type: DataSyncDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: 'The job has already ended', type: ProblemDetailsDto })
  async cancelDataSync(@CurrentActor() actor: Actor, @UuidParam() jobId: string): Promise<DataSyncDto> {
    return DataSyncDto.from(await this.commands.execute(new CancelDataSyncCommand(actor, jobId)));
  }

  @Get(':id/logs')
  @ApiOperation({ operationId: 'listDataSyncLogs', summary: "A sync job's execution log: run messages and every failed record" })
  @ApiOkResponse({ type: DataSyncLogPageDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async listDataSyncLogs(@CurrentActor() actor: Actor, @UuidParam() jobId: string, @Query() query: ListDataSyncLogsQueryDto): Promise<InstanceType<typeof DataSyncLogPageDto>> {
    const result = await this.queries.execute(new ListDataSyncLogsQuery(actor.tenantId, jobId, query.level, query.page, query.pageSize));
    return { ...result, items: result.items.map((log) => DataSyncLogDto.from(log)) };
  }

  @Get(':id/stream')
  @ApiOperation({ operationId: 'streamDataSync', summary: 'Server-Sent Events: `progress` on every batch until `end`' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'event: progress (data: the job as GET /{id}), then event: end (data: { status } when the job ended, { reason } when the key was revoked or expired meanwhile). ' +
      'The SDK resolves with the whole stream once it ends; for live progress read it with an EventSource client sending X-API-Key.',
    schema: { type: 'string', example: 'event: progress\ndata: {"id":"…","status":"Running","recordsProcessed":500}\n\nevent: end\ndata: {"status":"Completed"}\n\n' },
  })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async streamDataSync(@CurrentActor() actor: Actor, @UuidParam() jobId: string, @Req() request: AuthenticatedRequest, @Res() reply: FastifyReply): Promise<void> {
    // The guard let this request in with this key, so the header is the one string it checked.
    // The stream checks the key again before each event, this route's scope included.
    await this.stream.serve(await this.queries.execute(new GetDataSyncQuery(actor.tenantId, jobId)), reply, request.headers['x-api-key'] as string, [DATA_SYNC_SCOPE]);
  }
}

/** The read side of imports, under the integration they came from. */
@ApiTags('Data sync')
@RequireScopes('datasync:manage')
@ApiBadRequest()
@Controller('api/integrations')
export class SyncedRecordsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put(':id/records/:entity/:externalId')
  @ApiOperation({ operationId: 'writeSyncedRecord', summary: 'Change (or add) a synced record here; the next Export or Bidirectional sync pushes it to the source' })
  @ApiOkResponse({ type: WrittenSyncedRecordDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ description: 'datasync.not_syncable: no sync resource of the integration carries the entity, or it has no sync configuration', type: ProblemDetailsDto })
  async writeSyncedRecord(
    @CurrentActor() actor: Actor,
    @UuidParam() integrationId: string,
    @Param('entity', new ParseTextPipe('entity', 100)) entity: string,
    @Param('externalId', new ParseTextPipe('externalId', 300)) externalId: string,
    @Body() body: WriteSyncedRecordDto,
  ): Promise<WrittenSyncedRecordDto> {
    const written = await this.commands.execute(new WriteSyncedRecordCommand(actor, integrationId, entity, externalId, body.data));
    return { ...written, localModifiedAt: written.localModifiedAt.toISOString() };
  }

  @Get(':id/records')
  @ApiOperation({ operationId: 'listSyncedRecords', summary: 'Records imported from the integration, by entity, oldest stored first' })
  @ApiOkResponse({ type: SyncedRecordPageDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async listSyncedRecords(@CurrentActor() actor: Actor, @UuidParam() integrationId: string, @Query() query: ListSyncedRecordsQueryDto): Promise<SyncedRecordPageDto> {
    const after = query.after === undefined ? undefined : decodeRecordCursor(query.after);
    const result = await this.queries.execute(new ListSyncedRecordsQuery(actor.tenantId, integrationId, query.entity, query.updatedSince, query.page, query.pageSize, after));
    return { ...result, items: result.items.map((record) => SyncedRecordDto.from(record)), nextCursor: result.nextCursor && encodeRecordCursor(result.nextCursor) };
  }
}
