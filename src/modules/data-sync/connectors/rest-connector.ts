import type { OutboundResponse } from '../../../common/outbound/safe-http-client';
import type { ConnectorHttp } from './connector-http';
import { valueAt } from '../../integrations/providers/configuration-checks';
import { parseSourceRecord } from './source-record';
import { ConnectorError, OutgoingRecord, PageRequest, SourcePage, SyncConnector, SyncResource, WriteOutcome } from './sync-connector';

export const PAGINATION_TYPES = ['cursor', 'page', 'offset', 'link'] as const;
type PaginationType = (typeof PAGINATION_TYPES)[number];

/** One resource of a REST source, from the integration's `sync.resources[]` configuration. */
export interface RestResource extends SyncResource {
  path: string;
  idField: string;
  updatedAtField: string | null;
  /** Where the array of records is in a page (`data`); the page itself when it is an array. */
  recordsField: string | null;
  totalField: string | null;
  pageSize: number | null;
  pagination: {
    type: PaginationType;
    limitParam: string;
    cursorParam: string;
    /** Where the next cursor is in the page (cursor pagination). */
    nextCursorField: string;
    pageParam: string;
    offsetParam: string;
  };
  /** Incremental syncs pass the last sync's high-water mark in this query parameter. */
  updatedSinceParam: string | null;
  /** Export: each record is sent with this method to `writePath`, where `{id}` is the record's external id. */
  writeMethod: 'PUT' | 'PATCH' | 'POST';
  /** Export: the path records are written to (`{id}` replaced by the external id); `path/{id}` by default. */
  writePath: string;
  /**
   * Export: when set, only this field of the record is sent, wrapped under the same name: HubSpot reads
   * `{ "properties": {…} }` and refuses its own `id`, `createdAt` and `archived` fields back.
   */
  writeField: string | null;
}

/** The body an export sends for one record. */
export function exportBody(resource: Pick<RestResource, 'writeField'>, data: Record<string, unknown>): Record<string, unknown> {
  return resource.writeField ? { [resource.writeField]: data[resource.writeField] ?? {} } : data;
}

export type AuthHeaders = Record<string, string>;

/** Records of an export batch sent at once. */
export const WRITE_CONCURRENCY = 8;

/**
 * Any REST API described in the integration's configuration: a base URL, authentication (as the Custom
 * provider's), and a `sync` section listing resources with their path, id and updated-at fields and their
 * pagination (cursor, page number, offset, or the Link header's rel="next").
 */
export class RestConnector implements SyncConnector {
  constructor(
    private readonly integrationId: string,
    private readonly baseUrl: string,
    readonly resources: RestResource[],
    private readonly auth: AuthHeaders,
    private readonly http: ConnectorHttp,
    private readonly maxRecordBytes: number,
    private readonly defaultPageSize: number,
    private readonly signal?: AbortSignal,
  ) {}

  async readPage({ resource, cursor, limit, updatedSince }: PageRequest): Promise<SourcePage> {
    const rest = resource as RestResource;
    // Page numbers only mean something with a constant page size, and a next link carries its own.
    const fixedSize = rest.pagination.type === 'page' || rest.pagination.type === 'link';
    const url = this.pageUrl(rest, cursor, fixedSize ? (rest.pageSize ?? this.defaultPageSize) : Math.min(limit, rest.pageSize ?? limit), updatedSince);
    const response = await this.http.send(this.integrationId, { method: 'GET', url, headers: this.auth }, this.signal);
    const body = parseJson(response.body);
    const items = rest.recordsField ? valueAt(asObject(body), rest.recordsField) : body;
    if (!Array.isArray(items)) throw new ConnectorError('malformed', `The page of ${rest.entity} has no array of records${rest.recordsField ? ` at ${rest.recordsField}` : ''}`);
    const shape = { idField: rest.idField, updatedAtField: rest.updatedAtField, maxRecordBytes: this.maxRecordBytes };
    const total = rest.totalField ? valueAt(asObject(body), rest.totalField) : undefined;
    return {
      records: items.map((item) => parseSourceRecord(item, shape)),
      nextCursor: items.length === 0 ? null : this.nextCursor(rest, cursor, items.length, body, response),
      reportedTotal: typeof total === 'number' && Number.isFinite(total) && total >= 0 ? Math.floor(total) : null,
    };
  }

  async writeRecords(resource: SyncResource, records: OutgoingRecord[]): Promise<WriteOutcome[]> {
    const rest = resource as RestResource;
    const outcomes: WriteOutcome[] = new Array(records.length);
    let next = 0;
    const lane = async () => {
      while (next < records.length) {
        // A run that timed out or lost its lease is resumed elsewhere from its checkpoint: a lane of it that
        // went on sending could overwrite, at the source, a newer version the resumed run has sent since.
        this.signal?.throwIfAborted();
        const index = next++;
        const record = records[index];
        const url = `${this.baseUrl}${rest.writePath.replace(/\{id\}/g, encodeURIComponent(record.externalId))}`;
        try {
          await this.http.send(this.integrationId, { method: rest.writeMethod, url, headers: this.auth, json: exportBody(rest, record.data) }, this.signal);
          outcomes[index] = { externalId: record.externalId, ok: true };
        } catch (error) {
          // A refused record is that record's failure; a source that is down or refuses our credentials stops the batch.
          if (error instanceof ConnectorError && error.failure === 'configuration') outcomes[index] = { externalId: record.externalId, ok: false, reason: error.message };
          else throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, records.length) }, lane));
    return outcomes;
  }

  private pageUrl(resource: RestResource, cursor: string | null, limit: number, updatedSince: Date | null): string {
    const { pagination } = resource;
    if (pagination.type === 'link' && cursor) return this.sameOrigin(cursor);
    const url = new URL(`${this.baseUrl}${resource.path}`);
    url.searchParams.set(pagination.limitParam, String(limit));
    if (updatedSince && resource.updatedSinceParam) url.searchParams.set(resource.updatedSinceParam, updatedSince.toISOString());
    if (pagination.type === 'cursor' && cursor) url.searchParams.set(pagination.cursorParam, cursor);
    if (pagination.type === 'page') url.searchParams.set(pagination.pageParam, cursor ?? '1');
    if (pagination.type === 'offset') url.searchParams.set(pagination.offsetParam, cursor ?? '0');
    return url.toString();
  }

  private nextCursor(resource: RestResource, cursor: string | null, count: number, body: unknown, response: OutboundResponse): string | null {
    const { pagination } = resource;
    switch (pagination.type) {
      case 'cursor': {
        const next = valueAt(asObject(body), pagination.nextCursorField);
        return typeof next === 'string' && next !== '' ? next : typeof next === 'number' ? String(next) : null;
      }
      case 'page':
        return String(Number(cursor ?? '1') + 1);
      case 'offset':
        return String(Number(cursor ?? '0') + count);
      case 'link':
        return nextLink(response.headers.link);
    }
  }

  /** A Link header's next page must stay on the configured API: credentials are never sent elsewhere. */
  private sameOrigin(link: string): string {
    const target = new URL(link, this.baseUrl);
    if (target.origin !== new URL(this.baseUrl).origin) throw new ConnectorError('malformed', 'The next-page link points outside the configured baseUrl');
    return target.toString();
  }
}

/** RFC 8288: the target of rel="next", if any. */
export function nextLink(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return null;
  for (const part of value.split(',')) {
    const match = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    // rel holds space-separated relation types: `next` must be one of them, not a prefix ("nextpage").
    if (match && /\brel\s*=\s*"?(?:[^";]*\s)?next(?=[\s";]|$)/i.test(match[2])) return match[1];
  }
  return null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConnectorError('malformed', 'The source answered a page that is not JSON');
  }
}

function asObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
