import { Client } from 'pg';
import { postgresJson, unstorableCharacterIn } from './postgres-json';

describe('postgresJson', () => {
  it('writes U+0000 as U+FFFD and leaves an escaped backslash followed by "u0000" alone', () => {
    const value = { nul: 'a\u0000b', literal: '\\u0000', both: '\\\u0000', nested: [{ deep: '\u0000' }] };
    expect(JSON.parse(postgresJson(value))).toEqual({ nul: 'a\uFFFDb', literal: '\\u0000', both: '\\\uFFFD', nested: [{ deep: '\uFFFD' }] });
    expect(postgresJson({ plain: 'text' })).toBe(JSON.stringify({ plain: 'text' }));
  });

  it('writes an unpaired surrogate as U+FFFD and keeps paired ones', () => {
    const value = { high: 'a\ud800b', low: '\udc00', pair: '\ud83d\ude00', cut: 'x\ud83d', literal: '\\ud800' };
    expect(JSON.parse(postgresJson(value))).toEqual({ high: 'a\uFFFDb', low: '\uFFFD', pair: '\ud83d\ude00', cut: 'x\uFFFD', literal: '\\ud800' });
  });

  it('names the first character of JSON text that cannot be stored', () => {
    expect(unstorableCharacterIn(JSON.stringify({ a: 'x\u0000' }))).toBe('U+0000');
    expect(unstorableCharacterIn(JSON.stringify({ a: 'x\udbff' }))).toBe('the unpaired surrogate U+DBFF');
    expect(unstorableCharacterIn(JSON.stringify({ a: '\\u0000', b: '\\ud800' }))).toBeUndefined();
    expect(unstorableCharacterIn(JSON.stringify({ a: 'plain \ud83d\ude00' }))).toBeUndefined();
  });

  it('gives PostgreSQL JSON it stores as jsonb and as text, where JSON.stringify fails', async () => {
    const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      const value = { body: 'answer\u0000with a NUL', literal: '\\u0000', cut: 'emoji cut \ud83d' };
      await expect(client.query('SELECT $1::jsonb', [JSON.stringify(value)])).rejects.toThrow(/unsupported Unicode escape/);
      await expect(client.query('SELECT $1::jsonb', [JSON.stringify({ cut: value.cut })])).rejects.toThrow(/invalid input syntax for type json/);
      const { rows } = await client.query<{ body: string; literal: string; cut: string }>(
        'SELECT r.body, r.literal, r.cut FROM jsonb_to_record($1::jsonb) AS r(body text, literal text, cut text)',
        [postgresJson(value)],
      );
      expect(rows[0]).toEqual({ body: 'answer\uFFFDwith a NUL', literal: '\\u0000', cut: 'emoji cut \uFFFD' });
    } finally {
      await client.end();
    }
  });
});
