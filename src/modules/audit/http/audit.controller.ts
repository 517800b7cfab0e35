import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { AuditEntry } from '../../../common/audit/audit-entry.entity';
import { CurrentActor, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { DateTimeField, StringField, UuidField } from '../../../common/http/fields';
import { ApiBadRequest } from '../../../common/http/openapi';
import { PageOf, PageQueryDto } from '../../../common/http/pagination';
import { ListAuditEntriesQuery } from '../queries/list-audit-entries/list-audit-entries.query';

export class ListAuditEntriesQueryDto extends PageQueryDto {
  @StringField({ maxLength: 50, optional: true, example: 'api_key' }) resourceType?: string;
  @UuidField({ optional: true }) resourceId?: string;
  @StringField({ maxLength: 100, optional: true, example: 'APIKeyRevoked' }) action?: string;
  @UuidField({ optional: true, description: 'The API key that acted' }) actorApiKeyId?: string;
  @DateTimeField({ optional: true }) since?: Date;
  @DateTimeField({ optional: true }) until?: Date;
}

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'APIKeyRevoked' }) action: string;
  @ApiProperty({ example: 'api_key' }) resourceType: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) resourceId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The API key that acted; null for the system, and for the platform operator acting on this tenant (its own tenant\'s trail names its key)' }) actorApiKeyId: string | null;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) ip: string | null;
  @ApiProperty({ type: String, nullable: true }) requestId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) details: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;

  static from(entry: AuditEntry): AuditEntryDto {
    const { id, action, resourceType, resourceId, actorApiKeyId, ip, requestId, details } = entry;
    return { id, action, resourceType, resourceId, actorApiKeyId, ip, requestId, details, createdAt: entry.createdAt.toISOString() };
  }
}

export const AuditEntryPageDto = PageOf(AuditEntryDto, 'AuditEntryPage');

@ApiTags('Audit')
@RequireScopes('integration:manage')
@ApiBadRequest()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ operationId: 'listAuditEntries', summary: "The tenant's audit trail: who did what, when, from which IP (newest first)" })
  @ApiOkResponse({ type: AuditEntryPageDto })
  async listAuditEntries(@CurrentActor() actor: Actor, @Query() query: ListAuditEntriesQueryDto): Promise<InstanceType<typeof AuditEntryPageDto>> {
    const { page, pageSize, ...filter } = query;
    const result = await this.queries.execute(new ListAuditEntriesQuery(actor, filter, page, pageSize));
    return { ...result, items: result.items.map((entry) => AuditEntryDto.from(entry)) };
  }
}
