import { spawnSync } from 'node:child_process';
import { parseSourceRecord, RecordShape } from './source-record';

const shape: RecordShape = { idField: 'id', updatedAtField: 'updatedAt', maxRecordBytes: 200 };

describe('parseSourceRecord (§11.4: a bad record is logged and skipped)', () => {
  it('accepts an object with an id, keeping its JSON and its modification time', () => {
    const item = { id: 'c1', name: 'Ada', updatedAt: '2026-01-02T03:04:05.000Z' };
    expect(parseSourceRecord(item, shape)).toEqual({ ok: true, externalId: 'c1', modifiedAt: new Date('2026-01-02T03:04:05.000Z'), json: JSON.stringify(item) });
  });

  it('reads numeric ids, nested id fields, epoch times, and records without a modification time', () => {
    expect(parseSourceRecord({ id: 42, updatedAt: 1_767_225_600_000 }, shape)).toMatchObject({ ok: true, externalId: '42', modifiedAt: new Date(1_767_225_600_000) });
    expect(parseSourceRecord({ properties: { hs_id: 'x9' } }, { ...shape, idField: 'properties.hs_id' })).toMatchObject({ ok: true, externalId: 'x9', modifiedAt: null });
    expect(parseSourceRecord({ id: 'a', updatedAt: null }, shape)).toMatchObject({ ok: true, modifiedAt: null });
    expect(parseSourceRecord({ id: 'a', updatedAt: 'whenever' }, { ...shape, updatedAtField: null })).toMatchObject({ ok: true, modifiedAt: null });
  });

  it('refuses what is not a JSON object', () => {
    for (const item of [null, 'text', 7, ['id', 'a']]) expect(parseSourceRecord(item, shape)).toEqual({ ok: false, externalId: null, reason: 'The record is not a JSON object' });
  });

  it('refuses a record without a usable id, naming the id field', () => {
    expect(parseSourceRecord({ name: 'no id' }, shape)).toEqual({ ok: false, externalId: null, reason: 'The record has no id (id)' });
    expect(parseSourceRecord({ id: '' }, shape)).toMatchObject({ ok: false, externalId: null });
    expect(parseSourceRecord({ id: { nested: true } }, shape)).toMatchObject({ ok: false, externalId: null });
    const long = 'x'.repeat(301);
    expect(parseSourceRecord({ id: long }, { ...shape, maxRecordBytes: 10_000 })).toEqual({ ok: false, externalId: long.slice(0, 300), reason: 'The record id is longer than 300 characters' });
  });

  it('refuses an unreadable modification time and a record over the size limit, keeping its id for the log', () => {
    expect(parseSourceRecord({ id: 'a', updatedAt: 'yesterday-ish' }, shape)).toEqual({ ok: false, externalId: 'a', reason: 'updatedAt is not a date' });
    expect(parseSourceRecord({ id: 'a', updatedAt: true }, shape)).toMatchObject({ ok: false, externalId: 'a' });
    const big = parseSourceRecord({ id: 'big', blob: 'y'.repeat(300) }, shape);
    expect(big).toMatchObject({ ok: false, externalId: 'big' });
    expect(!big.ok && big.reason).toMatch(/^The record is \d+ bytes, over the limit of 200$/);
  });
});

describe('a source time without an offset', () => {
  it('is read as UTC whatever the host time zone, so comparisons with local changes do not shift', () => {
    // In a process of its own: jest's sandbox has its own process.env, so setting TZ here would not reach V8.
    const script = `const { sourceTime } = require('./source-record');
      console.log(JSON.stringify(['2026-01-01T10:00:00', '2026-01-01 10:00:00.25', '2026-01-01T10:00', '2026-01-01T10:00:00-05:00'].map((t) => sourceTime(t).toISOString())));`;
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: __dirname, env: { ...process.env, TZ: 'America/New_York' }, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual(['2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.250Z', '2026-01-01T10:00:00.000Z', '2026-01-01T15:00:00.000Z']);
  }, 30_000);
});
