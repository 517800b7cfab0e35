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
      nextCursor: items.length === 0 ? null : this.nextCursor(rest, cursor, items.length, body, response, url),
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

  private nextCursor(resource: RestResource, cursor: string | null, count: number, body: unknown, response: OutboundResponse, pageUrl: string): string | null {
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
      case 'link': {
        // A relative target is relative to the page that carried it (RFC 8288 §3.1), which only this page knows, so
        // the cursor keeps the resolved URL. Whether it may be followed is sameOrigin's call, when it is requested.
        const target = nextLink(response.headers.link);
        if (target === null) return null;
        if (!URL.canParse(target, pageUrl)) throw new ConnectorError('malformed', 'The next-page link is not a valid URL');
        return new URL(target, pageUrl).toString();
      }
    }
  }

  /**
   * A Link header's next page must stay on the configured API: credentials are never sent elsewhere. Cursors hold
   * next links resolved against their page (nextCursor); a relative one, from a checkpoint written before they did,
   * falls back to baseUrl.
   */
  private sameOrigin(link: string): string {
    const target = new URL(link, this.baseUrl);
    if (target.origin !== new URL(this.baseUrl).origin) throw new ConnectorError('malformed', 'The next-page link points outside the configured baseUrl');
    return target.toString();
  }
}

/** RFC 8288: the target of rel="next", if any, as written (a relative one is resolved by the caller). */
export function nextLink(header: string | string[] | undefined): string | null {
  const fieldValues = Array.isArray(header) ? header : header ? [header] : [];
  for (const link of fieldValues.flatMap(parseLinks)) {
    // rel holds space-separated relation types, compared case-insensitively: `next` must be one of them, not a prefix ("nextpage").
    if (link.rel?.toLowerCase().split(/\s+/).includes('next')) return link.target;
  }
  return null;
}

interface ParsedLink {
  target: string;
  /** The first rel parameter's value: RFC 8288 §3.3 ignores those after it. */
  rel: string | undefined;
}

/**
 * The links of one Link field value, in order. A comma separates links, and a semicolon parameters, only outside
 * a `<…>` target and a quoted string: a target's query (`?fields=id,name`) and a title ("a, b") may hold either.
 * A link that is not `<target>` followed by parameters is skipped, not the ones after it.
 */
function parseLinks(fieldValue: string): ParsedLink[] {
  const links: ParsedLink[] = [];
  for (const linkValue of splitOutsideTargetsAndQuotes(fieldValue, ',')) {
    const [targetPart, ...params] = splitOutsideTargetsAndQuotes(linkValue, ';');
    const target = /^\s*<([^>]+)>\s*$/.exec(targetPart);
    if (!target) continue;
    let rel: string | undefined;
    for (const param of params) {
      // token BWS [ "=" BWS ( token / quoted-string ) ]; a parameter may have no value at all.
      const match = /^\s*([^\s=]+)\s*(?:=\s*(.*?))?\s*$/s.exec(param);
      if (match && rel === undefined && match[1].toLowerCase() === 'rel') rel = unquote(match[2] ?? '');
    }
    links.push({ target: target[1].trim(), rel });
  }
  return links;
}

/** `text` cut at each `separator` that is neither inside `<…>` nor inside a quoted string (where `\` escapes a character). */
function splitOutsideTargetsAndQuotes(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = [];
  let start = 0;
  let inTarget = false;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inQuotes) {
      if (char === '\\') i++;
      else if (char === '"') inQuotes = false;
    } else if (inTarget) {
      if (char === '>') inTarget = false;
    } else if (char === '"') inQuotes = true;
    else if (char === '<') inTarget = true;
    else if (char === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** A parameter's value: a token as it is, a quoted string without its quotes and escapes. */
function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1, value.endsWith('"') && value.length > 1 ? -1 : undefined).replace(/\\(.)/gs, '$1') : value;
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
