import { IsObject } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { DateTimeField, EnumField, isStorableText, parseIsoDateTime, StringField, UuidField } from '../../../../common/http/fields';
import { iso } from '../../../../common/http/iso';
import { PageOf, PageQueryDto } from '../../../../common/http/pagination';
import type { DataSyncJob } from '../../domain/data-sync-job.entity';
import type { DataSyncLog } from '../../domain/data-sync-log.entity';
import { progressOf } from '../../domain/sync-rules';
import { SYNC_DIRECTIONS, SYNC_LOG_LEVELS, SYNC_STATUSES, SYNC_TYPES, SyncDirection, SyncLogLevel, SyncStatus, SyncType } from '../../domain/sync-types';
import type { SyncedRecordCursor, SyncedRecordView } from '../../queries/list-synced-records/list-synced-records.query';
import { CommonError } from '../../../../common/errors/domain-error';

export class CreateDataSyncDto {
  @UuidField({ description: 'The Active integration to sync' })
  integrationId: string;

  @EnumField(SYNC_TYPES, { enumName: 'SyncType', example: 'Incremental', description: 'Full: everything (records gone from the source are marked deleted); Incremental: what changed since the last sync; Differential: everything, writing only what changed' })
  syncType: SyncType;

  @EnumField(SYNC_DIRECTIONS, { enumName: 'SyncDirection', example: 'Import' })
  direction: SyncDirection;

  @DateTimeField({ optional: true, example: '2026-12-22T10:00:00Z', description: 'When to run; now when absent; at most 30 days in the past (a past time runs at once, and the frequency rules count it as now) and 366 days ahead' })
  scheduledAt?: Date;
}

export class ListDataSyncsQueryDto extends PageQueryDto {
  @UuidField({ optional: true })
  integrationId?: string;

  @EnumField(SYNC_STATUSES, { enumName: 'SyncStatus', optional: true })
  status?: SyncStatus;

  @EnumField(SYNC_TYPES, { enumName: 'SyncType', optional: true })
  syncType?: SyncType;

  @DateTimeField({ optional: true, description: 'Scheduled at or after' })
  from?: Date;

  @DateTimeField({ optional: true, description: 'Scheduled before' })
  to?: Date;
}

export class ListDataSyncLogsQueryDto extends PageQueryDto {
  @EnumField(SYNC_LOG_LEVELS, { enumName: 'SyncLogLevel', optional: true })
  level?: SyncLogLevel;
}

export class ListSyncedRecordsQueryDto extends PageQueryDto {
  @StringField({ maxLength: 100, example: 'contacts', description: "The entity, as named in the integration's sync resources" })
  entity: string;

  @DateTimeField({ optional: true, description: 'Only records stored or changed at or after this time, by a sync or a write here (their syncedAt)' })
  updatedSince?: Date;

  @StringField({
    // The longest nextCursor: a 300-character id of control characters, each \u-escaped in the JSON (about 2,450).
    maxLength: 4000,
    optional: true,
    description:
      "The previous page's nextCursor: reads on after its last record, and `page` is ignored. A record changed while you page moves to the end of the order and is read again; paging by `page` would skip the record after it.",
  })
  after?: string;
}

/** The opaque form of a page's end, as nextCursor and `after` carry it: base64url of JSON `[syncedAt, externalId]`. */
export function encodeRecordCursor(cursor: SyncedRecordCursor): string {
  return Buffer.from(JSON.stringify([cursor.syncedAt, cursor.externalId])).toString('base64url');
}

/**
 * PostgreSQL's text of a timestamptz, as the cursor holds it (`2026-12-06 20:40:01.123456+00`), with its offset's
 * hours and minutes: the cursor's time is one parseIsoDateTime accepts, so PostgreSQL can read it back.
 */
const PG_TIMESTAMPTZ = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([+-]\d{2})(?::(\d{2}))?$/;

function isPostgresTimestamp(text: string): boolean {
  const parts = PG_TIMESTAMPTZ.exec(text);
  // PostgreSQL reads offsets up to 15:59 only.
  return parts !== null && Math.abs(Number(parts[3])) <= 15 && parseIsoDateTime(`${parts[1]}T${parts[2]}${parts[3]}:${parts[4] ?? '00'}`) !== undefined;
}

/** The cursor `after` names; a 400 naming `after` for anything nextCursor did not produce. */
export function decodeRecordCursor(after: string): SyncedRecordCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && isPostgresTimestamp(parsed[0]) && typeof parsed[1] === 'string' && parsed[1].length <= 300 && isStorableText(parsed[1])) {
    return { syncedAt: parsed[0], externalId: parsed[1] };
  }
  throw CommonError.validation([{ field: 'after', messages: ['after must be a nextCursor of this list'] }]);
}

export class SyncProgressDto {
  @ApiProperty({ type: Number, nullable: true, example: 42.5, description: 'Percent of the records seen so far that are done; null while unknown' }) percent: number | null;
  @ApiProperty({ type: 'integer' }) recordsRemaining: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Records per second since the job started' }) recordsPerSecond: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'At the current rate' }) estimatedCompletionAt: string | null;
}

export class DataSyncDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) integrationId: string;
  @ApiProperty({ enum: SYNC_TYPES, enumName: 'SyncType' }) syncType: SyncType;
  @ApiProperty({ enum: SYNC_DIRECTIONS, enumName: 'SyncDirection' }) direction: SyncDirection;
  @ApiProperty({ enum: SYNC_STATUSES, enumName: 'SyncStatus' }) status: SyncStatus;
  @ApiProperty({ type: 'integer', description: 'Records seen, or announced by the source when more' }) recordsTotal: number;
  @ApiProperty({ type: 'integer', description: 'Records stored, unchanged or exported' }) recordsProcessed: number;
  @ApiProperty({ type: 'integer', description: 'Records logged as failed and skipped' }) recordsFailed: number;
  @ApiProperty({ type: 'integer' }) recordsCreated: number;
  @ApiProperty({ type: 'integer' }) recordsUpdated: number;
  @ApiProperty({ type: 'integer', description: 'Records the same as stored, older than stored (BR-DS-07), or duplicates (BR-DS-06)' }) recordsUnchanged: number;
  @ApiProperty({ type: 'integer', description: 'Full syncs: records gone from the source, marked deleted' }) recordsDeleted: number;
  @ApiProperty({ type: SyncProgressDto }) progress: SyncProgressDto;
  @ApiProperty({ type: String, nullable: true, description: 'Why the job failed' }) errorMessage: string | null;
  @ApiProperty({ type: 'integer', description: 'Runs so far: a run that timed out or lost its worker is resumed by another' }) runs: number;
  @ApiProperty({ type: 'integer' }) batchesCompleted: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) cancelRequestedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) scheduledAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;

  static from(job: DataSyncJob): DataSyncDto {
    const progress = progressOf(job);
    return {
      id: job.id,
      integrationId: job.integrationId,
      syncType: job.syncType,
      direction: job.direction,
      status: job.status,
      recordsTotal: Math.max(job.recordsTotal, job.recordsProcessed + job.recordsFailed),
      recordsProcessed: job.recordsProcessed,
      recordsFailed: job.recordsFailed,
      recordsCreated: job.recordsCreated,
      recordsUpdated: job.recordsUpdated,
      recordsUnchanged: job.recordsUnchanged,
      recordsDeleted: job.recordsDeleted,
      progress: { ...progress, estimatedCompletionAt: iso(progress.estimatedCompletionAt) },
      errorMessage: job.errorLog?.message ?? null,
      runs: job.runs,
      batchesCompleted: job.batchesCompleted,
      cancelRequestedAt: iso(job.cancelRequestedAt),
      scheduledAt: job.scheduledAt.toISOString(),
      startedAt: iso(job.startedAt),
      completedAt: iso(job.completedAt),
      createdAt: job.createdAt.toISOString(),
      createdBy: job.createdBy,
    };
  }
}

export class DataSyncLogDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: SYNC_LOG_LEVELS, enumName: 'SyncLogLevel' }) level: SyncLogLevel;
  @ApiProperty() message: string;
  @ApiProperty({ type: String, nullable: true }) entity: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The failed record, when known' }) externalId: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) details: Record<string, unknown> | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;

  static from(log: DataSyncLog): DataSyncLogDto {
    return { id: log.id, level: log.level, message: log.message, entity: log.entity, externalId: log.externalId, details: log.details, createdAt: log.createdAt.toISOString() };
  }
}

export class SyncedRecordDto {
  @ApiProperty({ example: 'contacts' }) entity: string;
  @ApiProperty({ example: 'c_1001' }) externalId: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: "The source's last-modified time" }) sourceModifiedAt: string | null;
  @ApiProperty({ description: 'MD5 of the canonical JSON' }) contentHash: string;
  @ApiProperty() deleted: boolean;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the stored version last changed: imported, written here (PUT), or marked deleted' }) syncedAt: string;

  static from(record: SyncedRecordView): SyncedRecordDto {
    return { ...record, sourceModifiedAt: iso(record.sourceModifiedAt), syncedAt: new Date(record.syncedAt).toISOString() };
  }
}

export class WriteSyncedRecordDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { name: 'Ada Lovelace', email: 'ada@example.com' }, description: 'The record as it should be; pushed to the source by the next Export' })
  @IsObject()
  data: Record<string, unknown>;
}

export class WrittenSyncedRecordDto {
  @ApiProperty({ example: 'contacts' }) entity: string;
  @ApiProperty({ example: 'c_1001' }) externalId: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ description: 'MD5 of the canonical JSON' }) contentHash: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When it changed here; an Export sends it unless the source changed it later' }) localModifiedAt: string;
  @ApiProperty({ description: 'True when the record did not exist yet' }) created: boolean;
}

export const DataSyncPageDto = PageOf(DataSyncDto, 'DataSyncPage');
export const DataSyncLogPageDto = PageOf(DataSyncLogDto, 'DataSyncLogPage');
export class SyncedRecordPageDto extends PageOf(SyncedRecordDto, 'SyncedRecordPageBase') {
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page; null when this page is not full (the end, for now)' }) nextCursor: string | null;
}
Object.defineProperty(SyncedRecordPageDto, 'name', { value: 'SyncedRecordPage' });
