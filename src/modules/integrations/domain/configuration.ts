import type { FieldError } from '../../../common/errors/domain-error';

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
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { errors: [{ field: 'configuration', messages: ['configuration must be a JSON object'] }] };
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > maxBytes) {
    return { errors: [{ field: 'configuration', messages: [`configuration must be at most ${maxBytes} bytes of JSON (it is ${bytes})`] }] };
  }
  return { configuration: value as ConfigurationObject, errors: [] };
}

function isSecret(path: string, secretPaths: readonly string[]): boolean {
  return secretPaths.includes(path) || SECRET_NAME.test(path.split('.').pop()!);
}

function isObject(value: unknown): value is ConfigurationObject {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** A copy with every secret value replaced by MASK, at any depth. */
export function maskConfiguration(configuration: ConfigurationObject, secretPaths: readonly string[], prefix = ''): ConfigurationObject {
  const masked: ConfigurationObject = {};
  for (const [key, value] of Object.entries(configuration)) {
    const path = prefix + key;
    if (isObject(value)) masked[key] = maskConfiguration(value, secretPaths, `${path}.`);
    else masked[key] = isSecret(path, secretPaths) && value !== null && value !== '' ? MASK : value;
  }
  return masked;
}

/** Names of settings that say where requests, and the secrets riding in them, are sent. */
const DESTINATION_NAME = /(url|uri|host|endpoint|domain|server)$/i;

/**
 * An update's configuration with each MASK replaced by the secret it stands for, so a client can send back
 * what it read and change only what it means to. Not when the update moves a destination (`baseUrl`,
 * `auth.tokenUrl`, any setting named like an address): a key allowed to edit an integration but not to read its
 * secrets could otherwise point it at a server of its own and have the kept secret sent there by the next test.
 * Such an update must send the secrets again; each masked field is named in the errors.
 */
export function restoreMaskedSecrets(next: ConfigurationObject, previous: ConfigurationObject): { configuration: ConfigurationObject; errors: FieldError[] } {
  const masked: string[] = [];
  const restore = (from: ConfigurationObject, kept: ConfigurationObject, prefix: string): ConfigurationObject => {
    const restored: ConfigurationObject = {};
    for (const [key, value] of Object.entries(from)) {
      if (value === MASK && key in kept) {
        masked.push(prefix + key);
        restored[key] = kept[key];
      } else if (isObject(value)) restored[key] = restore(value, isObject(kept[key]) ? kept[key] : {}, `${prefix}${key}.`);
      else restored[key] = value;
    }
    return restored;
  };
  const configuration = restore(next, previous, '');
  // Compared once restored: an address that reads as a secret (`tokenUrl`) comes back masked too.
  const moved = changedPaths(previous, configuration).filter((path) => DESTINATION_NAME.test(path.split('.').pop()!));
  if (!moved.length) return { configuration, errors: [] };
  const because = `${moved.map((path) => `configuration.${path}`).join(', ')} changed: send the secret again rather than ${MASK}, which would carry the stored one to the new address`;
  return { configuration, errors: masked.map((path) => ({ field: `configuration.${path}`, messages: [because] })) };
}

/** Dotted paths of the leaves that differ, for the audit trail (names only, never values). */
export function changedPaths(before: ConfigurationObject, after: ConfigurationObject, prefix = ''): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    const path = prefix + key;
    const [a, b] = [before[key], after[key]];
    if (isObject(a) && isObject(b)) return changedPaths(a, b, `${path}.`);
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
  });
}

/** Top-level and nested field names, for the creation event. */
export function fieldPaths(configuration: ConfigurationObject, prefix = ''): string[] {
  return Object.entries(configuration).flatMap(([key, value]) => (isObject(value) ? fieldPaths(value, `${prefix}${key}.`) : [prefix + key]));
}
