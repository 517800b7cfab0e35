import type { FieldError } from '../../../common/errors/domain-error';
import { isStorableText, UNSTORABLE_TEXT } from '../../../common/http/fields';
import { fieldNestedTooDeep, MAX_NESTING } from '../../../common/http/validation';

/** The placeholder every read shows instead of a secret; sent back unchanged in an update, it keeps the secret. */
export const MASK = '********';

/** Names that hold a secret whatever the provider (a safety net beside each adapter's list of secret fields). */
const SECRET_NAME = /(secret|password|passwd|token|apikey|api_key|credential|private|signature|authorization)/i;

export type ConfigurationObject = Record<string, unknown>;

/**
 * §7.1: the configuration is a JSON object (given as an object, or as a string holding one) of at most
 * `maxBytes` bytes of JSON. Returns the object, or the field errors that make it a 400.
 */
export function parseConfiguration(raw: unknown, maxBytes: number): { configuration?: ConfigurationObject; errors: FieldError[] } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { errors: [{ field: 'configuration', messages: ['configuration must be valid JSON'] }] };
    }
    // A string skipped the body's checks: its nesting, as the body's, is bounded before anything recurses into it.
    const tooDeep = fieldNestedTooDeep(value);
    if (tooDeep !== undefined) return { errors: [{ field: `configuration.${tooDeep}`, messages: [`nests objects and lists more than ${MAX_NESTING} levels deep`] }] };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { errors: [{ field: 'configuration', messages: ['configuration must be a JSON object'] }] };
  }
  const badKey = unusableKeyIn(value as ConfigurationObject);
  if (badKey) return { errors: [badKey] };
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > maxBytes) {
    return { errors: [{ field: 'configuration', messages: [`configuration must be at most ${maxBytes} bytes of JSON (it is ${bytes})`] }] };
  }
  return { configuration: value as ConfigurationObject, errors: [] };
}

/**
 * A key the configuration cannot have, as a field error: `__proto__` (from a string: the body's own are stripped),
 * which later copies would take for the object's prototype; or one PostgreSQL cannot store as sent (U+0000, an
 * unpaired surrogate), which reaches the outbox and the audit trail with the changed fields' names.
 */
function unusableKeyIn(configuration: ConfigurationObject): FieldError | undefined {
  const pending: Array<{ node: object; path: string }> = [{ node: configuration, path: 'configuration' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const [key, child] of Object.entries(next.node)) {
      const path = `${next.path}.${key}`;
      if (key === '__proto__') return { field: path, messages: ['__proto__ is not a key a configuration can have'] };
      if (!isStorableText(key)) return { field: next.path, messages: [`a key ${UNSTORABLE_TEXT}`] };
      if (typeof child === 'object' && child !== null) pending.push({ node: child as object, path });
    }
  }
  return undefined;
}

/**
 * Whether the value at `path` is a secret. `field` is the same path without array indices (`extraAuth.apiKey` for
 * `extraAuth.0.apiKey`), so an element is known by the name of the list holding it and an adapter can declare a
 * field of every element at once; for objects the two are the same.
 */
function isSecret(path: string, field: string, secretPaths: readonly string[]): boolean {
  return secretPaths.includes(path) || secretPaths.includes(field) || SECRET_NAME.test(field.split('.').pop()!);
}

function isObject(value: unknown): value is ConfigurationObject {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A copy with every secret value replaced by MASK, at any depth: in nested objects and in arrays alike. Whatever
 * sits under a secret's name is secret, however deep: `credentials: { user, pass }` shows both masked, its shape
 * kept so that each MASK can be sent back in place.
 */
export function maskConfiguration(configuration: ConfigurationObject, secretPaths: readonly string[], prefix = ''): ConfigurationObject {
  return maskObject(configuration, secretPaths, prefix, prefix, false);
}

function maskObject(configuration: ConfigurationObject, secretPaths: readonly string[], path: string, field: string, underSecret: boolean): ConfigurationObject {
  const masked: ConfigurationObject = {};
  for (const [key, value] of Object.entries(configuration)) masked[key] = maskValue(value, secretPaths, path + key, field + key, underSecret);
  return masked;
}

function maskValue(value: unknown, secretPaths: readonly string[], path: string, field: string, underSecret: boolean): unknown {
  const secret = underSecret || isSecret(path, field, secretPaths);
  if (isObject(value)) return maskObject(value, secretPaths, `${path}.`, `${field}.`, secret);
  // A list under a secret's name (`secrets: ["whsec_…"]`) is masked whole, as it always was. Any other list is
  // gone through element by element: skipping arrays showed `extraAuth: [{ apiKey }]` and the like in clear.
  if (Array.isArray(value) && !secret) return value.map((item, index) => maskValue(item, secretPaths, `${path}.${index}`, field, false));
  return secret && value !== null && value !== '' ? MASK : value;
}

/** Names of settings that say where requests, and the secrets riding in them, are sent. */
const DESTINATION_NAME = /(url|uri|host|endpoint|domain|server)$/i;

/**
 * An update's configuration with each MASK replaced by the secret it stands for, so a client can send back
 * what it read and change only what it means to. Not when the update moves a destination (`baseUrl`,
 * `auth.tokenUrl`, any setting named like an address): a key allowed to edit an integration but not to read its
 * secrets could otherwise point it at a server of its own and have the kept secret sent there by the next test.
 * Such an update must send the secrets again; each masked field is named in the errors.
 *
 * Arrays are matched element by element, by index, as the read masked them: a MASK sent at `extraAuth.0.apiKey`
 * keeps what is stored at that same index and key, and a MASK where nothing is stored stays as sent. The index is
 * all that ties a masked value to its stored one, so it is kept only in an element that is still the entry read
 * (every field that is neither secret-named nor a MASK unchanged): in another (a list reordered or shortened, a name
 * edited, an address moved), each MASK is an error naming it, as the stored secret would otherwise land in another
 * entry, under another name or at another address.
 */
export function restoreMaskedSecrets(next: ConfigurationObject, previous: ConfigurationObject): { configuration: ConfigurationObject; errors: FieldError[] } {
  const masked: string[] = [];
  const inChangedElements: string[] = [];
  // `stored` says whether `kept` is a value stored at the same path (a key of the object, an index of the array).
  const restore = (value: unknown, kept: unknown, stored: boolean, path: string): unknown => {
    if (value === MASK && stored) {
      masked.push(path);
      return kept;
    }
    if (isObject(value)) {
      const from = isObject(kept) ? kept : {};
      const restored: ConfigurationObject = {};
      for (const [key, item] of Object.entries(value)) restored[key] = restore(item, from[key], key in from, path ? `${path}.${key}` : key);
      return restored;
    }
    if (Array.isArray(value)) {
      const from = Array.isArray(kept) ? kept : [];
      return value.map((item, index) => {
        const maskedBefore = masked.length;
        const restored = restore(item, from[index], index < from.length, `${path}.${index}`);
        if (masked.length > maskedBefore && !sameEntry(item, from[index])) inChangedElements.push(...masked.splice(maskedBefore));
        return restored;
      });
    }
    return value;
  };
  const configuration = restore(next, previous, false, '') as ConfigurationObject;
  // Compared once restored: an address that reads as a secret (`tokenUrl`) comes back masked too. Into arrays as
  // well, since secrets are kept there too: `extraAuth.0.url` moved is a move like `baseUrl`.
  const moved = changedLeaves(previous, configuration, '', '', true)
    .filter(({ field }) => DESTINATION_NAME.test(field.split('.').pop()!))
    .map(({ path }) => path);
  const errorsAt = (paths: string[], message: string): FieldError[] => paths.map((path) => ({ field: `configuration.${path}`, messages: [message] }));
  const inChanged = errorsAt(inChangedElements, `its list entry changed: send the secret again rather than ${MASK}, which would carry the one stored at this position`);
  if (!moved.length) return { configuration, errors: inChanged };
  const because = `${moved.map((path) => `configuration.${path}`).join(', ')} changed: send the secret again rather than ${MASK}, which would carry the stored one to the new address`;
  return { configuration, errors: [...inChanged, ...errorsAt(masked, because)] };
}

/** Whether `sent` is still the entry `stored`: equal but for its secret-named fields and the MASKs it carries. */
function sameEntry(sent: unknown, stored: unknown): boolean {
  if (sent === MASK) return true;
  if (isObject(sent) && isObject(stored)) {
    const keys = new Set([...Object.keys(sent), ...Object.keys(stored)]);
    return [...keys].every((key) => SECRET_NAME.test(key) || sameEntry(sent[key], stored[key]));
  }
  if (Array.isArray(sent) && Array.isArray(stored)) return sent.length === stored.length && sent.every((item, index) => sameEntry(item, stored[index]));
  return JSON.stringify(sent) === JSON.stringify(stored);
}

/** Dotted paths of the leaves that differ, for the audit trail (names only, never values). */
export function changedPaths(before: ConfigurationObject, after: ConfigurationObject, prefix = ''): string[] {
  return changedLeaves(before, after, prefix, prefix, false).map(({ path }) => path);
}

/** A leaf that differs: its path, and its `field` (the path without array indices, see isSecret). */
interface ChangedLeaf {
  path: string;
  field: string;
}

/** Arrays count as one leaf unless `intoArrays`, when their elements are compared index by index. */
function changedLeaves(before: ConfigurationObject, after: ConfigurationObject, path: string, field: string, intoArrays: boolean): ChangedLeaf[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => changedLeaf(before[key], after[key], path + key, field + key, intoArrays));
}

function changedLeaf(a: unknown, b: unknown, path: string, field: string, intoArrays: boolean): ChangedLeaf[] {
  if (isObject(a) && isObject(b)) return changedLeaves(a, b, `${path}.`, `${field}.`, intoArrays);
  if (intoArrays && Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, index) => changedLeaf(a[index], b[index], `${path}.${index}`, field, true)).flat();
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, field }];
}

/** Top-level and nested field names, for the creation event. */
export function fieldPaths(configuration: ConfigurationObject, prefix = ''): string[] {
  return Object.entries(configuration).flatMap(([key, value]) => (isObject(value) ? fieldPaths(value, `${prefix}${key}.`) : [prefix + key]));
}
