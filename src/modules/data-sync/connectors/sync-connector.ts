/** One kind of records a connector reads and writes, e.g. `contacts`. */
export interface SyncResource {
  entity: string;
  /**
   * Its pages may be found by position (a page number or an offset; a Link header's next page may hold either): a
   * record the source deletes during a read moves the ones after it back, so one read can miss a record the source
   * still has. A Full import then marks a record deleted only when the Full import before it missed the record too.
   */
  pagedByPosition: boolean;
}

/** A record as read from the source, checked; or why it cannot be imported (logged, then skipped: BR-DS-04). */
export type SourceRecord =
  | { ok: true; externalId: string; modifiedAt: Date | null; /** The record's JSON, as stored and hashed. */ json: string }
  | { ok: false; externalId: string | null; reason: string };

export interface SourcePage {
  records: SourceRecord[];
  /** Where the next page starts; null after the last one. */
  nextCursor: string | null;
  /** The total the source announces for the resource, when it does (it may be wrong). */
  reportedTotal: number | null;
}

export interface PageRequest {
  resource: SyncResource;
  cursor: string | null;
  /** Records wanted; a connector may return fewer. */
  limit: number;
  /** Incremental syncs: only records modified at or after this time. */
  updatedSince: Date | null;
}

/** A local record to push to the external system. */
export interface OutgoingRecord {
  externalId: string;
  data: Record<string, unknown>;
}

/** What became of one pushed record. */
export type WriteOutcome = { externalId: string; ok: true } | { externalId: string; ok: false; reason: string };

/**
 * What the executor needs of an external system, whatever its API: pages of records with a cursor, and
 * writing records back. A connector is built per run from the integration's configuration; every call goes
 * through ConnectorHttp (SSRF-safe client, the integration's circuit, 429 + Retry-After). A new kind of source
 * is a class implementing this and a line in connector-factory.ts.
 */
export interface SyncConnector {
  readonly resources: SyncResource[];
  readPage(request: PageRequest): Promise<SourcePage>;
  writeRecords(resource: SyncResource, records: OutgoingRecord[]): Promise<WriteOutcome[]>;
}

/** A source call that failed for good. `authentication`: the source refused the credentials (§11.4: suspend and alert). */
export class ConnectorError extends Error {
  constructor(
    readonly failure: 'authentication' | 'configuration' | 'unavailable' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}
