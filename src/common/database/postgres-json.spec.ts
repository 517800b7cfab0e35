import { Client } from 'pg';
import { jsonHoldsNul, postgresJson } from './postgres-json';

describe('postgresJson', () => {
  it('writes U+0000 as U+FFFD and leaves an escaped backslash followed by "u0000" alone', () => {
    const value = { nul: 'a\u0000b', literal: '\\u0000', both: '\\\u0000', nested: [{ deep: '\u0000' }] };
    expect(JSON.parse(postgresJson(value))).toEqual({ nul: 'a\uFFFDb', literal: '\\u0000', both: '\\\uFFFD', nested: [{ deep: '\uFFFD' }] });
    expect(postgresJson({ plain: 'text' })).toBe(JSON.stringify({ plain: 'text' }));
  });

  it('tells whether JSON text holds U+0000', () => {
    expect(jsonHoldsNul(JSON.stringify({ a: 'x\u0000' }))).toBe(true);
    expect(jsonHoldsNul(JSON.stringify({ a: '\\u0000' }))).toBe(false);
    expect(jsonHoldsNul(JSON.stringify({ a: 'plain' }))).toBe(false);
  });

  it('gives PostgreSQL JSON it stores as jsonb and as text, where JSON.stringify fails', async () => {
    const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      const value = { body: 'answer\u0000with a NUL', literal: '\\u0000' };
      await expect(client.query('SELECT $1::jsonb', [JSON.stringify(value)])).rejects.toThrow(/unsupported Unicode escape/);
      const { rows } = await client.query<{ body: string; literal: string }>(
        'SELECT r.body, r.literal FROM jsonb_to_record($1::jsonb) AS r(body text, literal text)',
        [postgresJson(value)],
      );
      expect(rows[0]).toEqual({ body: 'answer\uFFFDwith a NUL', literal: '\\u0000' });
    } finally {
      await client.end();
    }
  });
});
