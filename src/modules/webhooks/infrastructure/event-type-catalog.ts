import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import Ajv, { MissingRefError, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';
import { RE2JS } from 're2js';
import { LRUCache } from 'lru-cache';
import { contextOrFork } from '../../../common/database/context-or-fork';
import { EventTypeDefinition } from '../domain/event-type-definition.entity';
import { isReservedEventName, subscribableDomainEventNames } from '../domain/event-catalog';
import { WebhookError, WebhookErrorCode } from '../domain/webhook.errors';
import { NIL_UUID } from '../../../common/database/keyset';
import { unstorableCharacterIn } from '../../../common/database/postgres-json';

/** Thrown by the RegExp engine below while ajv compiles a schema that holds a regular expression RE2 cannot run. */
class PatternRefusedError extends Error {}

/**
 * Ajv's `code.regExp`, through which every `pattern` and `patternProperties` (also under `propertyNames`) becomes
 * a matcher: RE2 (re2js), which matches in time linear in the input. JavaScript's RegExp backtracks, and a tenant
 * chooses both the expression and the data it runs on: `^(a+)+$` on 40 characters, or merely `\s*$` on a 1 MB
 * string, held the API's event loop for minutes, so one tenant could stall a replica for every tenant; RE2 runs
 * the latter in milliseconds. It has no backreferences or lookarounds (they cannot run in linear time): a pattern
 * using them is a 422 naming `schema`.
 */
const linearTimeRegExps: RegExpEngine = Object.assign(
  (pattern: string): RegExpLike => {
    try {
      return RE2JS.compile(pattern);
    } catch (error) {
      throw new PatternRefusedError(
        `the pattern ${JSON.stringify(pattern)} cannot run: ${(error as Error).message}; patterns run on RE2, in linear time, without backreferences or lookarounds`,
      );
    }
  },
  { code: 're2js' },
);

/**
 * A compiled schema, or why it cannot be used. A failure is kept too: a stored schema that no longer compiles
 * (it was registered before a rule below) would otherwise be compiled again on every publication.
 */
type CompiledSchema = { validate: ValidateFunction } | { problem: string };

/**
 * The event types a tenant's webhooks can subscribe to (this service's domain events and the tenant's
 * registered application types) and the JSON-schema check of published data. A registered type never changes
 * and is never deleted, so found types and their compiled schemas are kept in memory: publishing, the hottest
 * write, reads no catalog row. Reads go through the caller's context when it has one (see contextOrFork).
 *
 * Each schema is compiled by an ajv of its own, which knows no other schema. One ajv shared by every tenant
 * kept each `$id` it met (those inside a schema even with `addUsedSchema: false`): another tenant's `$ref` to it
 * compiled, and its 422s showed the first tenant's constraints; a clashing `$id` answered "already exists",
 * telling that another tenant used it, and since each replica compiles on first use, it could fail every
 * publication of a type on one replica alone. Now a `$ref` resolves inside its own schema or is a 422 naming
 * `schema`, the same on every replica. An ajv costs under a millisecond, once per type and replica, and goes
 * with its validator when the cache drops it. The meta-schema check is shared: it reads a schema as data and
 * keeps nothing.
 */
@Injectable()
export class EventTypeCatalog {
  private readonly metaSchemas = new Ajv({ allErrors: true, strict: false });
  private readonly validators = new LRUCache<string, CompiledSchema>({ max: 5000 });
  private readonly registered = new LRUCache<string, EventTypeDefinition>({ max: 10_000 });

  constructor(private readonly em: EntityManager) {}

  /** 422 naming `eventTypes` when one is neither a built-in domain event nor registered by the tenant. */
  async assertSubscribable(tenantId: string, eventTypes: readonly string[]): Promise<void> {
    const builtIn = new Set(subscribableDomainEventNames());
    const others = eventTypes.filter((type) => !builtIn.has(type));
    if (!others.length) return;
    const registered = await contextOrFork(this.em).find(EventTypeDefinition, { tenantId, name: { $in: others } });
    const known = new Set(registered.map((type) => type.name));
    const unknown = others.filter((type) => !known.has(type));
    if (unknown.length) {
      throw WebhookError.onField(WebhookErrorCode.UnknownEventType, 'eventTypes', [
        `unknown event type(s): ${unknown.join(', ')}; see GET /api/events/types, or register an application type with POST /api/events/types`,
      ]);
    }
  }

  /** The registered type `name` of the tenant, for publishing; 422 naming `eventType` otherwise. */
  async publishableType(tenantId: string, name: string): Promise<EventTypeDefinition> {
    if (isReservedEventName(name)) {
      throw WebhookError.onField(WebhookErrorCode.EventTypeReserved, 'eventType', [`${name} is an event of this service and cannot be published through the API`]);
    }
    const cacheKey = `${tenantId}/${name}`;
    const type = this.registered.get(cacheKey) ?? (await contextOrFork(this.em).findOne(EventTypeDefinition, { tenantId, name }));
    if (type) this.registered.set(cacheKey, type);
    if (!type) {
      throw WebhookError.onField(WebhookErrorCode.UnknownEventType, 'eventType', [`${name} is not a registered event type; register it with POST /api/events/types`]);
    }
    return type;
  }

  /** 422 naming the fields of `data` that break the type's schema; naming `eventType` when its schema cannot be used. */
  assertMatchesSchema(type: EventTypeDefinition, data: unknown): void {
    if (!type.schema) return;
    const compiled = this.compiledFor(type);
    if ('problem' in compiled) {
      throw WebhookError.onField(WebhookErrorCode.InvalidSchema, 'eventType', [`the schema of ${type.name} cannot be used: ${compiled.problem}; register a type with a schema that can`]);
    }
    const { validate } = compiled;
    let matches: boolean;
    try {
      matches = validate(data) as boolean;
    } catch (error) {
      // A recursion the registration's probes did not reach (compile): the schema, not the data, is at fault.
      if (!(error instanceof RangeError)) throw error;
      throw WebhookError.onField(WebhookErrorCode.InvalidSchema, 'eventType', [`the schema of ${type.name} recurses without end on this data; register a type whose $refs go into the data`]);
    }
    if (matches) return;
    const errors = (validate.errors ?? []).map((error) => ({
      field: `data${error.instancePath.replace(/\//g, '.')}`,
      messages: [error.message ?? 'does not match the schema'],
    }));
    throw new WebhookError(WebhookErrorCode.DataDoesNotMatchSchema, `data does not match the schema of ${type.name}`, { errors });
  }

  /**
   * The registered types whose stored schema this service no longer runs (registered before a rule of `compile`:
   * a `$ref` leaving the schema, a pattern RE2 cannot run), whose publications answer 422: for the operator, who
   * would otherwise learn of them one tenant's complaint at a time. Names only, never the schemas.
   */
  async unusableSchemas(): Promise<Array<{ tenantId: string; name: string; problem: string }>> {
    const unusable: Array<{ tenantId: string; name: string; problem: string }> = [];
    const connection = contextOrFork(this.em).getConnection();
    for (let after = NIL_UUID; ; ) {
      const page = await connection.execute<Array<{ id: string; tenant_id: string; name: string; schema: Record<string, unknown> }>>(
        'SELECT id, tenant_id, name, schema FROM event_type_definition WHERE schema IS NOT NULL AND id > ? ORDER BY id LIMIT 500',
        [after],
      );
      for (const row of page) {
        const problem = this.compileProblem(row.schema);
        if (problem !== undefined) unusable.push({ tenantId: row.tenant_id, name: row.name, problem });
      }
      if (page.length < 500) return unusable;
      after = page[page.length - 1].id;
    }
  }

  /** 422 naming `schema` when it is not a JSON schema, or one this service does not run (see `compile`). */
  assertValidSchema(schema: Record<string, unknown>): void {
    const json = JSON.stringify(schema);
    const unstorable = unstorableCharacterIn(json);
    const bytes = Buffer.byteLength(json);
    const problem =
      (bytes > MAX_SCHEMA_BYTES && `is ${bytes} bytes of JSON; a schema may take at most ${MAX_SCHEMA_BYTES}`) ||
      (unstorable && `holds ${unstorable}, which cannot be stored`) ||
      this.metaSchemaProblem(schema) ||
      quadraticUniqueItems(schema) ||
      this.compileProblem(schema);
    if (problem !== undefined) throw WebhookError.onField(WebhookErrorCode.InvalidSchema, 'schema', [problem]);
  }

  private metaSchemaProblem(schema: Record<string, unknown>): string | undefined {
    try {
      if (this.metaSchemas.validateSchema(schema)) return undefined;
      return `not a valid JSON schema: ${this.metaSchemas.errorsText(this.metaSchemas.errors, { dataVar: 'schema' })}`;
    } catch (error) {
      // A `$schema` that names no meta-schema this service knows.
      return `not a valid JSON schema: ${(error as Error).message}`;
    }
  }

  private compileProblem(schema: Record<string, unknown>): string | undefined {
    const compiled = this.compile(schema);
    return 'problem' in compiled ? compiled.problem : undefined;
  }

  private compiledFor(type: EventTypeDefinition): CompiledSchema {
    let compiled = this.validators.get(type.id);
    if (!compiled) {
      compiled = this.compile(type.schema!);
      this.validators.set(type.id, compiled);
    }
    return compiled;
  }

  /**
   * In an ajv of its own (see the class comment) that knows not even the meta-schemas (`meta: false`), so a
   * `$ref` that leaves the schema finds nothing; the schema was checked against its meta-schema at registration.
   */
  private compile(schema: Record<string, unknown>): CompiledSchema {
    const costly = costlySchema(schema);
    if (costly) return { problem: costly };
    // Ajv only warns of a format it does not know, and then checks nothing: such a schema is refused instead.
    const unknownFormats: string[] = [];
    const logger = { log: () => undefined, warn: (message: unknown) => void (/unknown format/.test(String(message)) && unknownFormats.push(String(message))), error: () => undefined };
    const ajv = new Ajv({ allErrors: true, strict: false, meta: false, validateSchema: false, code: { regExp: linearTimeRegExps }, logger });
    // The standard formats (email, date-time, uri, uuid…), with ajv-formats' simpler expressions: they run on the
    // tenant's data with JavaScript's RegExp, not RE2.
    addFormats(ajv, { mode: 'fast' });
    try {
      const validate = ajv.compile(schema);
      // An $async schema's validate() answers a promise, which every call would take for a pass, and whose
      // rejection, for data that breaks the schema, nothing would catch: the process would exit.
      if ((validate as { $async?: unknown }).$async) return { problem: '$async schemas are not run; remove "$async"' };
      if (unknownFormats.length) return { problem: `${unknownFormats[0]}: use a standard format (date-time, date, time, email, hostname, ipv4, ipv6, uri, uuid…)` };
      if (recursesWithoutData(validate)) return { problem: 'a $ref leads back into the schema without going into the data (as "#" at the top, or in an allOf, anyOf or not): checking any value never ends' };
      return { validate };
    } catch (error) {
      if (error instanceof PatternRefusedError) return { problem: error.message };
      if (error instanceof MissingRefError) {
        return { problem: `$ref ${JSON.stringify(error.missingRef)} points outside this schema; a schema may refer only to its own parts (e.g. "#/definitions/…")` };
      }
      return { problem: `not a valid JSON schema: ${(error as Error).message}` };
    }
  }
}

/** Values of each JSON type, to find a schema whose recursion does not follow the data. */
const PROBES: readonly unknown[] = [{}, [], '', 0, true, null];

/**
 * Whether checking a plain value overflows the stack: a `$ref` back into the schema that does not go into the data
 * (`{ "$ref": "#" }`, `{ "allOf": [{ "$ref": "#" }] }`) recurses for ever on every value. A recursion that is only
 * reached for some values escapes these probes; assertMatchesSchema answers it with a 422 when it happens.
 */
function recursesWithoutData(validate: ValidateFunction): boolean {
  for (const probe of PROBES) {
    try {
      validate(probe);
    } catch (error) {
      if (error instanceof RangeError) return true;
      throw error;
    }
  }
  return false;
}

/** The most JSON a schema may take: an event's schema is a few KB; a megabyte of one took seconds to register. */
const MAX_SCHEMA_BYTES = 64 * 1024;
/**
 * The most subschemas a value may be checked against, `$ref`s followed: a schema of 30 levels, each an allOf of two
 * `$ref`s to the next, is 2 KB and checks every value 2^30 times (seconds to hours per publication, the event
 * loop held). A `$ref` back into a schema being expanded (recursion, for tree-shaped data) counts once: its cost
 * follows the data's depth, which the body limit bounds.
 */
const MAX_EXPANDED_SUBSCHEMAS = 10_000;
/** Patterns every property name may be tested against: 2,000 of them over 20,000 keys took 14 s. */
const MAX_PATTERN_PROPERTIES = 100;

/** Why checking data against the schema could hold the event loop for long (see the limits above), or undefined. */
function costlySchema(root: Record<string, unknown>): string | undefined {
  let patterns = 0;
  const expanded = new Map<object, number>();
  const expanding = new Set<object>();
  const sizeOf = (node: unknown): number => {
    if (Array.isArray(node)) {
      let size = 0;
      for (const item of node) if ((size += sizeOf(item)) > MAX_EXPANDED_SUBSCHEMAS) break;
      return size;
    }
    if (node === null || typeof node !== 'object') return 0;
    const known = expanded.get(node);
    if (known !== undefined) return known;
    if (expanding.has(node)) return 1;
    expanding.add(node);
    let size = 1;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      // Data, not subschemas.
      if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue;
      if (key === 'patternProperties' && value !== null && typeof value === 'object') patterns += Object.keys(value).length;
      size += key === '$ref' && typeof value === 'string' ? sizeOf(localTarget(root, value)) : sizeOf(value);
      if (size > MAX_EXPANDED_SUBSCHEMAS) break;
    }
    expanding.delete(node);
    expanded.set(node, size);
    return size;
  };
  if (sizeOf(root) > MAX_EXPANDED_SUBSCHEMAS) {
    return `expands, its $refs followed, to more than ${MAX_EXPANDED_SUBSCHEMAS} subschemas, each checked against the data; refer to shared parts less often`;
  }
  if (patterns > MAX_PATTERN_PROPERTIES) return `holds ${patterns} patternProperties; at most ${MAX_PATTERN_PROPERTIES}, as each is tried on every property name`;
  return undefined;
}

/** The part of the schema a local `$ref` ("#/definitions/x", a JSON pointer) names, or undefined. */
function localTarget(root: Record<string, unknown>, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    if (node === null || typeof node !== 'object') return undefined;
    let key: string;
    try {
      key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    node = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** Item types ajv checks `uniqueItems` for with a hash, in linear time; for any other list it compares every pair. */
const HASHABLE_ITEM_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
/** The longest list whose items ajv may compare pair by pair: 1,000 items are half a million comparisons. */
const MAX_PAIRWISE_UNIQUE_ITEMS = 1000;

/**
 * Why a `uniqueItems` in the schema would let one publication hold the event loop, or undefined. Ajv compares every
 * pair of items unless the items are of scalar types: a list of 150,000 numbers under a bare `uniqueItems` took
 * 19 s on one core, every tenant's requests waiting. Such a list needs `items` of scalar types or a `maxItems`.
 */
function quadraticUniqueItems(schema: unknown, path = 'schema'): string | undefined {
  if (Array.isArray(schema)) {
    for (const [index, item] of schema.entries()) {
      const problem = quadraticUniqueItems(item, `${path}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (schema === null || typeof schema !== 'object') return undefined;
  const node = schema as Record<string, unknown>;
  if (node.uniqueItems === true && !(typeof node.maxItems === 'number' && node.maxItems <= MAX_PAIRWISE_UNIQUE_ITEMS) && !hashableItems(node.items)) {
    return `${path}: uniqueItems needs items of scalar types (string, number, integer, boolean, null) or a maxItems of at most ${MAX_PAIRWISE_UNIQUE_ITEMS}, as other lists are checked pair by pair`;
  }
  for (const [key, value] of Object.entries(node)) {
    const problem = quadraticUniqueItems(value, `${path}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

function hashableItems(items: unknown): boolean {
  if (items === null || typeof items !== 'object' || Array.isArray(items)) return false;
  const type = (items as Record<string, unknown>).type;
  const types = Array.isArray(type) ? type : [type];
  return types.length > 0 && types.every((t) => typeof t === 'string' && HASHABLE_ITEM_TYPES.has(t));
}
