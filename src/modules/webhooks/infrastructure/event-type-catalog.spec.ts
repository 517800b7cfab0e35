import type { EntityManager } from '@mikro-orm/postgresql';
import { EventTypeDefinition } from '../domain/event-type-definition.entity';
import { WebhookError } from '../domain/webhook.errors';
import { EventTypeCatalog } from './event-type-catalog';

/** The schema checks only: no catalog row is read, so no EntityManager is needed. */
describe('EventTypeCatalog schemas', () => {
  const bookingOfA = {
    $id: 'https://tenant-a.test/booking',
    type: 'object',
    properties: { total: { type: 'number', maximum: 5000 }, guest: { $id: 'https://tenant-a.test/guest', type: 'string', maxLength: 3 } },
  };
  let catalog: EventTypeCatalog;

  beforeEach(() => {
    catalog = new EventTypeCatalog({} as EntityManager);
    // Tenant A's schema, compiled on this replica by a publication of A.
    catalog.assertMatchesSchema(typeOf('tenant-a', bookingOfA), { total: 10 });
  });

  function typeOf(tenantId: string, schema: Record<string, unknown>): EventTypeDefinition {
    return EventTypeDefinition.register(tenantId, 'Booking', null, schema, null);
  }

  /** The refusal `work` throws, as the problem+json answer would show it (kind `unprocessable` is a 422). */
  function refusal(work: () => void): { kind: string; code: string; errors: Array<{ field: string; messages: string[] }> } {
    try {
      work();
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookError);
      const { kind, code, extensions } = error as WebhookError;
      return { kind, code, errors: extensions.errors as Array<{ field: string; messages: string[] }> };
    }
    throw new Error('expected a refusal');
  }

  it("refuses a $ref to another tenant's schema (or anything outside the schema) with a 422 naming schema", () => {
    for (const ref of ['https://tenant-a.test/booking', 'https://tenant-a.test/guest', 'http://json-schema.org/draft-07/schema#']) {
      const refused = refusal(() => catalog.assertValidSchema({ type: 'object', properties: { stolen: { $ref: ref } } }));
      expect(refused).toMatchObject({ kind: 'unprocessable', code: 'event.invalid_schema', errors: [{ field: 'schema', messages: [expect.stringContaining(ref.replace(/#$/, ''))] }] });
    }
    // A reference inside the schema itself is fine, also through an $id of its own.
    expect(() => catalog.assertValidSchema({ definitions: { id: { type: 'string' } }, properties: { a: { $ref: '#/definitions/id' } } })).not.toThrow();
    expect(() => catalog.assertValidSchema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' })).not.toThrow();
    expect(() => catalog.assertValidSchema({ $id: 'https://b.test/order', properties: { a: { $id: 'line', type: 'string' }, b: { $ref: 'line' } } })).not.toThrow();
  });

  it("accepts and uses an $id that another tenant's schema uses, without a trace of it", () => {
    const sameIds = { $id: 'https://tenant-a.test/booking', type: 'object', properties: { guest: { $id: 'https://tenant-a.test/guest', type: 'number' } } };
    expect(() => catalog.assertValidSchema(sameIds)).not.toThrow();
    // Publishing with either schema, in any order on one replica, checks the data against that schema only.
    expect(() => catalog.assertMatchesSchema(typeOf('tenant-b', sameIds), { guest: 42 })).not.toThrow();
    expect(refusal(() => catalog.assertMatchesSchema(typeOf('tenant-a', bookingOfA), { guest: 42 })).errors).toEqual([
      { field: 'data.guest', messages: ['must be string'] },
    ]);
  });

  it('runs pattern and patternProperties on RE2, in linear time, and refuses what RE2 cannot run, naming schema', () => {
    const codes = { type: 'object', properties: { code: { type: 'string', pattern: '^[A-Z]{3}$' } }, patternProperties: { '^x-': { type: 'string' } }, propertyNames: { pattern: '^[a-z-]+$' } };
    catalog.assertValidSchema(codes);
    const type = typeOf('tenant-a', codes);
    expect(() => catalog.assertMatchesSchema(type, { code: 'EUR', 'x-trace': 'abc' })).not.toThrow();
    const fields = refusal(() => catalog.assertMatchesSchema(type, { code: 'euro', 'x-trace': 1, Upper: true })).errors.map((e: { field: string }) => e.field);
    expect([...new Set(fields)].sort()).toEqual([
      'data',
      'data.code',
      'data.x-trace',
    ]);
    // A backtracking engine spends about 2^40 steps on this; RE2 answers at once.
    const nested = typeOf('tenant-a', { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } });
    expect(refusal(() => catalog.assertMatchesSchema(nested, { code: `${'a'.repeat(40)}!` })).errors).toEqual([{ field: 'data.code', messages: ['must match pattern "^(a+)+$"'] }]);
    for (const pattern of ['(a)\\1', '(?=a)a']) {
      const schema = { type: 'object', properties: { code: { type: 'string', pattern } } };
      expect(refusal(() => catalog.assertValidSchema(schema))).toMatchObject({ kind: 'unprocessable', errors: [{ field: 'schema', messages: [expect.stringMatching(/runs? on RE2|cannot run/)] }] });
      // A type stored before the rule is not run with another engine either: its publications name eventType.
      expect(refusal(() => catalog.assertMatchesSchema(typeOf('tenant-a', schema), { code: 'aa' }))).toMatchObject({
        kind: 'unprocessable',
        code: 'event.invalid_schema',
        errors: [{ field: 'eventType', messages: [expect.stringMatching(/cannot run/)] }],
      });
    }
  });

  it('refuses a uniqueItems that would compare every pair of a long list, naming schema', () => {
    const refused = refusal(() => catalog.assertValidSchema({ type: 'object', properties: { list: { type: 'array', uniqueItems: true } } }));
    expect(refused).toMatchObject({ code: 'event.invalid_schema', errors: [{ field: 'schema', messages: [expect.stringContaining('schema.properties.list: uniqueItems needs items of scalar types')] }] });
    // Scalar items are checked with a hash, in linear time; a bounded list is cheap either way.
    for (const list of [{ type: 'array', uniqueItems: true, items: { type: 'integer' } }, { type: 'array', uniqueItems: true, items: { type: ['string', 'null'] } }, { type: 'array', uniqueItems: true, maxItems: 100 }]) {
      expect(() => catalog.assertValidSchema({ type: 'object', properties: { list } })).not.toThrow();
    }
    const numbers = typeOf('tenant-b', { type: 'object', properties: { list: { type: 'array', uniqueItems: true, items: { type: 'number' } } } });
    catalog.assertMatchesSchema(numbers, { list: Array.from({ length: 150_000 }, (_, i) => i) });
    expect(refusal(() => catalog.assertMatchesSchema(numbers, { list: [1, 2, 1] })).errors[0].field).toBe('data.list');
  });

  it('checks the standard formats, and refuses a format it does not know, naming schema', () => {
    const contact = typeOf('tenant-b', { type: 'object', properties: { email: { type: 'string', format: 'email' }, at: { type: 'string', format: 'date-time' } } });
    catalog.assertMatchesSchema(contact, { email: 'ada@example.com', at: '2026-12-06T10:00:00Z' });
    expect(refusal(() => catalog.assertMatchesSchema(contact, { email: 'not an email', at: 'yesterday' })).errors.map((e) => e.field).sort()).toEqual(['data.at', 'data.email']);
    const unknown = refusal(() => catalog.assertValidSchema({ type: 'object', properties: { id: { type: 'string', format: 'snowflake' } } }));
    expect(unknown).toMatchObject({ code: 'event.invalid_schema', errors: [{ field: 'schema', messages: [expect.stringContaining('unknown format "snowflake"')] }] });
  });

  it('refuses a schema holding a character PostgreSQL cannot store, naming schema', () => {
    for (const text of ['a\u0000b', 'x\ud800y']) {
      const schema = { type: 'object', description: text };
      expect(refusal(() => catalog.assertValidSchema(schema))).toMatchObject({ code: 'event.invalid_schema', errors: [{ field: 'schema', messages: [expect.stringMatching(/^holds (U\+0000|the unpaired surrogate U\+D800), which cannot be stored$/)] }] });
    }
  });

  it("refuses a schema that is not valid JSON schema, or takes another tenant's for its meta-schema, naming schema", () => {
    expect(refusal(() => catalog.assertValidSchema({ type: 'no-such-type' }))).toMatchObject({ kind: 'unprocessable', errors: [{ field: 'schema' }] });
    expect(refusal(() => catalog.assertValidSchema({ $schema: 'https://tenant-a.test/booking' }))).toMatchObject({ kind: 'unprocessable', errors: [{ field: 'schema' }] });
  });

  it('refuses an $async schema, whose validation would answer a promise taken for a pass, naming schema', () => {
    const schema = { $async: true, type: 'object', required: ['bookingId'] };
    expect(refusal(() => catalog.assertValidSchema(schema))).toMatchObject({ kind: 'unprocessable', errors: [{ field: 'schema', messages: [expect.stringMatching(/\$async/)] }] });
    // One stored before the rule is not run either: its publications are refused, never passed or crashed.
    expect(refusal(() => catalog.assertMatchesSchema(typeOf('tenant-b', schema), {}))).toMatchObject({ kind: 'unprocessable', errors: [{ field: 'eventType' }] });
  });

  it('refuses a schema whose $refs recurse without going into the data, naming schema; a tree-shaped one passes', () => {
    for (const schema of [{ $ref: '#' }, { allOf: [{ $ref: '#' }] }, { not: { $ref: '#' } }, { type: 'object', anyOf: [{ $ref: '#' }] }, { definitions: { a: { allOf: [{ $ref: '#/definitions/a' }] } }, $ref: '#/definitions/a' }]) {
      expect(refusal(() => catalog.assertValidSchema(schema))).toMatchObject({ code: 'event.invalid_schema', errors: [{ field: 'schema', messages: [expect.stringMatching(/never ends/)] }] });
    }
    // One only some values reach, and one stored before the rule: the publication is a 422 naming eventType, not a 500.
    const reachedBy42 = { if: { const: 42 }, then: { $ref: '#' } };
    expect(() => catalog.assertValidSchema(reachedBy42)).not.toThrow();
    expect(refusal(() => catalog.assertMatchesSchema(typeOf('tenant-b', reachedBy42), 42))).toMatchObject({ code: 'event.invalid_schema', errors: [{ field: 'eventType' }] });
    const tree = { type: 'object', properties: { children: { type: 'array', items: { $ref: '#' } } } };
    expect(() => catalog.assertValidSchema(tree)).not.toThrow();
    expect(() => catalog.assertMatchesSchema(typeOf('tenant-b', tree), { children: [{ children: [] }] })).not.toThrow();
  });

  it('refuses schemas whose checks would hold the event loop: $refs fanning out, too many patterns, too many bytes, naming schema', () => {
    // 30 levels, each an allOf of two $refs to the next: 2 KB that checks every value 2^30 times.
    const definitions: Record<string, unknown> = { l30: { type: 'string' } };
    for (let level = 0; level < 30; level++) definitions[`l${level}`] = { allOf: [{ $ref: `#/definitions/l${level + 1}` }, { $ref: `#/definitions/l${level + 1}` }] };
    const fanOut = refusal(() => catalog.assertValidSchema({ definitions, $ref: '#/definitions/l0' }));
    expect(fanOut).toMatchObject({ kind: 'unprocessable', errors: [{ field: 'schema', messages: [expect.stringMatching(/more than 10000 subschemas/)] }] });

    const patternProperties = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`^p${i}_`, { type: 'string' }]));
    expect(refusal(() => catalog.assertValidSchema({ type: 'object', patternProperties }))).toMatchObject({ errors: [{ field: 'schema', messages: [expect.stringMatching(/101 patternProperties/)] }] });

    const properties = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`field${i}`, { type: 'string', maxLength: 10 }]));
    expect(refusal(() => catalog.assertValidSchema({ type: 'object', properties }))).toMatchObject({ errors: [{ field: 'schema', messages: [expect.stringMatching(/bytes of JSON/)] }] });

    // Recursion (a tree) and shared parts used a few times stay welcome.
    const tree = { definitions: { node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/node' } } } } }, $ref: '#/definitions/node' };
    expect(() => catalog.assertValidSchema(tree)).not.toThrow();
    expect(() => catalog.assertMatchesSchema(typeOf('tenant-b', tree), { name: 'root', children: [{ name: 'leaf', children: [] }] })).not.toThrow();
    const shared = { definitions: { money: { type: 'number' } }, properties: { net: { $ref: '#/definitions/money' }, tax: { $ref: '#/definitions/money' }, gross: { $ref: '#/definitions/money' } } };
    expect(() => catalog.assertValidSchema(shared)).not.toThrow();
  });
});
