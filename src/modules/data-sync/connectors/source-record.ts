import { valueAt } from '../../integrations/providers/configuration-checks';
import type { SourceRecord } from './sync-connector';
import { postgresJson } from '../../../common/database/postgres-json';

/** An ISO 8601 date and time without an offset, which JavaScript's Date would read in the host's time zone. */
const ISO_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * A source's modification time as a Date. One without an offset is taken as UTC, whatever the host's time zone:
 * read as local time, every comparison with a change made here (BR-DS-07) would shift by the host's offset.
 */
export function sourceTime(raw: string | number): Date {
  return new Date(typeof raw === 'string' && ISO_WITHOUT_OFFSET.test(raw) ? `${raw.replace(' ', 'T')}Z` : raw);
}

export interface RecordShape {
  idField: string;
  updatedAtField: string | null;
  maxRecordBytes: number;
}

/**
 * Checks one item of a source page (§11.4: a record that fails validation is logged and skipped): an object,
 * with a non-empty id of at most 300 characters, a parseable modification time when the resource has one, and
 * at most `maxRecordBytes` of JSON.
 */
export function parseSourceRecord(item: unknown, shape: RecordShape): SourceRecord {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return { ok: false, externalId: null, reason: 'The record is not a JSON object' };
  const data = item as Record<string, unknown>;
  const rawId = valueAt(data, shape.idField);
  const externalId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : '';
  if (!externalId) return { ok: false, externalId: null, reason: `The record has no id (${shape.idField})` };
  if (externalId.length > 300) return { ok: false, externalId: externalId.slice(0, 300), reason: 'The record id is longer than 300 characters' };
  let modifiedAt: Date | null = null;
  if (shape.updatedAtField) {
    const raw = valueAt(data, shape.updatedAtField);
    if (raw !== undefined && raw !== null) {
      modifiedAt = typeof raw === 'number' || typeof raw === 'string' ? sourceTime(raw) : new Date(NaN);
      if (Number.isNaN(modifiedAt.getTime())) return { ok: false, externalId, reason: `${shape.updatedAtField} is not a date` };
    }
  }
  const json = postgresJson(data);
  const sizeBytes = Buffer.byteLength(json);
  if (sizeBytes > shape.maxRecordBytes) return { ok: false, externalId, reason: `The record is ${sizeBytes} bytes, over the limit of ${shape.maxRecordBytes}` };
  return { ok: true, externalId, modifiedAt, json };
}
