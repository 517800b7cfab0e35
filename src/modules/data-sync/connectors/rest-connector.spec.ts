import { exportBody, nextLink } from './rest-connector';

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
