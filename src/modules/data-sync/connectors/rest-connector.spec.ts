import type { ConnectorHttp } from './connector-http';
import { exportBody, nextLink, RestConnector, RestResource } from './rest-connector';

describe('nextLink (RFC 8288 Link header)', () => {
  it('finds rel="next" among several links, quoted or not, alone or with other relations', () => {
    expect(nextLink('<https://api.test/items?page=2>; rel="next", <https://api.test/items?page=9>; rel="last"')).toBe('https://api.test/items?page=2');
    expect(nextLink('<https://api.test/items?page=1>; rel="prev", <https://api.test/items?page=3>; rel=next')).toBe('https://api.test/items?page=3');
    expect(nextLink('</items?after=abc>; rel="last next"')).toBe('/items?after=abc');
    expect(nextLink('</items?after=abc>; title="x"; REL="Next"')).toBe('/items?after=abc');
  });

  it('reads a header given as several values', () => {
    expect(nextLink(['<https://api.test/a>; rel="prev"', '<https://api.test/b>; rel="next"'])).toBe('https://api.test/b');
  });

  it('answers null when there is no next page', () => {
    expect(nextLink(undefined)).toBeNull();
    expect(nextLink('')).toBeNull();
    expect(nextLink('<https://api.test/items?page=1>; rel="prev", <https://api.test/items?page=1>; rel="first"')).toBeNull();
    expect(nextLink('<https://api.test/items?page=2>; rel="nextpage"')).toBeNull();
    expect(nextLink('https://api.test/items?page=2; rel="next"')).toBeNull();
  });
});

describe('export bodies', () => {
  const hubspotRecord = { id: '501', properties: { email: 'ada@example.com', firstname: 'Ada' }, createdAt: '2026-01-01T00:00:00Z', archived: false };

  it('sends the record as it is by default', () => {
    expect(exportBody({ writeField: null }, hubspotRecord)).toBe(hubspotRecord);
  });

  it('sends only the configured field, wrapped, as HubSpot expects', () => {
    expect(exportBody({ writeField: 'properties' }, hubspotRecord)).toEqual({ properties: { email: 'ada@example.com', firstname: 'Ada' } });
  });
});

describe('writeRecords', () => {
  const contacts: RestResource = {
    entity: 'contacts',
    path: '/contacts',
    idField: 'id',
    updatedAtField: null,
    recordsField: null,
    totalField: null,
    pageSize: null,
    pagination: { type: 'cursor', limitParam: 'limit', cursorParam: 'cursor', nextCursorField: 'nextCursor', pageParam: 'page', offsetParam: 'offset' },
    updatedSinceParam: null,
    writeMethod: 'PUT',
    writePath: '/contacts/{id}',
    writeField: null,
  };

  it('sends no more of the batch once its run is aborted (timed out or lost its lease)', async () => {
    const run = new AbortController();
    const lostLease = new Error('Run interrupted: lease-lost');
    const sent: string[] = [];
    // The run is abandoned while the first write is under way, and that write succeeds.
    const http = {
      send: async (_integrationId: string, request: { url: string }) => {
        sent.push(request.url);
        run.abort(lostLease);
        return { status: 200, headers: {}, body: '{}', bodyTruncated: false, durationMs: 1 };
      },
    } as unknown as ConnectorHttp;
    const connector = new RestConnector('integration', 'https://api.test', [contacts], {}, http, 1 << 20, 50, run.signal);
    const records = Array.from({ length: 20 }, (_, i) => ({ externalId: `c${i}`, data: { id: `c${i}` } }));

    await expect(connector.writeRecords(contacts, records)).rejects.toBe(lostLease);
    expect(sent).toEqual(['https://api.test/contacts/c0']);
  });
});
