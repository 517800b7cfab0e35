import type { OutboundResponse } from '../../../common/outbound/safe-http-client';
import type { ConnectorHttp } from './connector-http';
import { exportBody, nextLink, RestConnector, RestResource } from './rest-connector';
import { ConnectorError } from './sync-connector';

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

  it('keeps a comma inside a link target or a quoted parameter within its link', () => {
    expect(nextLink('<http://127.0.0.1:9/contacts?fields=id,name&page=2>; rel="next", <http://127.0.0.1:9/contacts?page=9>; rel="last"')).toBe('http://127.0.0.1:9/contacts?fields=id,name&page=2');
    expect(nextLink('<http://127.0.0.1:9/c?page=2>; title="a, b"; rel="next"')).toBe('http://127.0.0.1:9/c?page=2');
    expect(nextLink('<http://127.0.0.1:9/c?page=1>; title="a, <b>; rel=\\"x\\""; rel="prev", <http://127.0.0.1:9/c?page=3>; rel="next"')).toBe('http://127.0.0.1:9/c?page=3');
    expect(nextLink(['<http://127.0.0.1:9/c?page=1>; title="a, b"; rel="prev"', '<http://127.0.0.1:9/c?ids=1,2>; rel="next"'])).toBe('http://127.0.0.1:9/c?ids=1,2');
  });

  it('finds next among several relation types of one link, in any case and spacing', () => {
    expect(nextLink('<http://127.0.0.1:9/c?fields=id,name&page=2>; rel="next last"')).toBe('http://127.0.0.1:9/c?fields=id,name&page=2');
    expect(nextLink('<http://127.0.0.1:9/c?page=2>; rel="last\t NEXT"')).toBe('http://127.0.0.1:9/c?page=2');
    expect(nextLink('<http://127.0.0.1:9/c?page=1>; rel="prev" , <http://127.0.0.1:9/c?page=3>;rel = next')).toBe('http://127.0.0.1:9/c?page=3');
    expect(nextLink('<http://127.0.0.1:9/c?page=2>; crossorigin; rel="next"')).toBe('http://127.0.0.1:9/c?page=2');
  });

  it('reads next only from the rel parameter, and only its first occurrence (RFC 8288 §3.3)', () => {
    expect(nextLink('<http://127.0.0.1:9/c?page=2>; title="rel=next"; rel="prev"')).toBeNull();
    expect(nextLink('<http://127.0.0.1:9/c?page=2>; rel="prev"; rel="next"')).toBeNull();
  });

  it('answers null when there is no next page', () => {
    expect(nextLink(undefined)).toBeNull();
    expect(nextLink('')).toBeNull();
    expect(nextLink('<https://api.test/items?page=1>; rel="prev", <https://api.test/items?page=1>; rel="first"')).toBeNull();
    expect(nextLink('<https://api.test/items?page=2>; rel="nextpage"')).toBeNull();
    expect(nextLink('https://api.test/items?page=2; rel="next"')).toBeNull();
    expect(nextLink('<>; rel="next"')).toBeNull();
  });

  it('skips a malformed link, not the links after it', () => {
    expect(nextLink('<http://127.0.0.1:9/c?page=1>; rel="prev", junk; rel="next", <http://127.0.0.1:9/c?page=3>; rel="next"')).toBe('http://127.0.0.1:9/c?page=3');
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
    pagedByPosition: false,
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

describe('readPage with Link pagination', () => {
  const contacts: RestResource = {
    entity: 'contacts',
    pagedByPosition: false,
    path: '/contacts',
    idField: 'id',
    updatedAtField: null,
    recordsField: null,
    totalField: null,
    pageSize: 2,
    pagination: { type: 'link', limitParam: 'limit', cursorParam: 'cursor', nextCursorField: 'nextCursor', pageParam: 'page', offsetParam: 'offset' },
    updatedSinceParam: null,
    writeMethod: 'PUT',
    writePath: '/contacts/{id}',
    writeField: null,
  };

  /** A source answering each request with one record and the given Link header; `requested` lists the URLs asked. */
  function sourceLinking(link: string) {
    const requested: string[] = [];
    const http = {
      send: async (_integrationId: string, request: { url: string }): Promise<OutboundResponse> => {
        requested.push(request.url);
        return { status: 200, headers: { link }, body: JSON.stringify([{ id: String(requested.length) }]), bodyTruncated: false, durationMs: 1 };
      },
    } as unknown as ConnectorHttp;
    return { requested, connector: new RestConnector('integration', 'http://127.0.0.1:9/v2', [contacts], {}, http, 1 << 20, 50) };
  }

  async function nextPageUrl(link: string): Promise<{ cursor: string | null; url: string }> {
    const { requested, connector } = sourceLinking(link);
    const first = await connector.readPage({ resource: contacts, cursor: null, limit: 50, updatedSince: null });
    await connector.readPage({ resource: contacts, cursor: first.nextCursor, limit: 50, updatedSince: null });
    expect(requested[0]).toBe('http://127.0.0.1:9/v2/contacts?limit=2');
    return { cursor: first.nextCursor, url: requested[1] };
  }

  it('resolves a relative next link against the URL of the page that carried it, not the baseUrl', async () => {
    await expect(nextPageUrl('<?page=2>; rel="next"')).resolves.toEqual({ cursor: 'http://127.0.0.1:9/v2/contacts?page=2', url: 'http://127.0.0.1:9/v2/contacts?page=2' });
    await expect(nextPageUrl('<contacts?page=2>; rel="next"')).resolves.toEqual({ cursor: 'http://127.0.0.1:9/v2/contacts?page=2', url: 'http://127.0.0.1:9/v2/contacts?page=2' });
  });

  it('resolves a root-relative next link against the origin, keeping the resolved URL as the cursor', async () => {
    await expect(nextPageUrl('</v2/contacts?page=2>; rel="next"')).resolves.toEqual({ cursor: 'http://127.0.0.1:9/v2/contacts?page=2', url: 'http://127.0.0.1:9/v2/contacts?page=2' });
  });

  it('follows an absolute next link with a comma in its query', async () => {
    await expect(nextPageUrl('<http://127.0.0.1:9/v2/contacts?fields=id,name&page=2>; rel="next", <http://127.0.0.1:9/v2/contacts?page=9>; rel="last"')).resolves.toEqual({
      cursor: 'http://127.0.0.1:9/v2/contacts?fields=id,name&page=2',
      url: 'http://127.0.0.1:9/v2/contacts?fields=id,name&page=2',
    });
  });

  it('ends the resource when there is no next link', async () => {
    const { connector } = sourceLinking('<?page=1>; rel="prev"');
    await expect(connector.readPage({ resource: contacts, cursor: null, limit: 50, updatedSince: null })).resolves.toMatchObject({ nextCursor: null });
  });

  it('fails the page whose next link is not a URL', async () => {
    const { connector } = sourceLinking('<http://127.0.0.1:99999/v2/contacts?page=2>; rel="next"');
    await expect(connector.readPage({ resource: contacts, cursor: null, limit: 50, updatedSince: null })).rejects.toMatchObject({ failure: 'malformed', message: 'The next-page link is not a valid URL' });
  });

  it('refuses, without sending the credentials there, a next link to another origin', async () => {
    const { requested, connector } = sourceLinking('<http://127.0.0.1:10/v2/contacts?page=2>; rel="next"');
    const first = await connector.readPage({ resource: contacts, cursor: null, limit: 50, updatedSince: null });
    expect(first.records).toHaveLength(1);

    const second = connector.readPage({ resource: contacts, cursor: first.nextCursor, limit: 50, updatedSince: null });
    await expect(second).rejects.toThrow(ConnectorError);
    await expect(second).rejects.toMatchObject({ failure: 'malformed', message: 'The next-page link points outside the configured baseUrl' });
    expect(requested).toEqual(['http://127.0.0.1:9/v2/contacts?limit=2']);
  });
});
