import type { FieldError } from '../../../common/errors/domain-error';
import type { Configuration } from './provider-adapter';

/** Small checks adapters compose in `checkConfiguration`; each returns the errors it found. */

export function valueAt(configuration: Configuration, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), configuration);
}

export function stringAt(configuration: Configuration, path: string): string | undefined {
  const value = valueAt(configuration, path);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function error(path: string, message: string): FieldError {
  return { field: `configuration.${path}`, messages: [message] };
}

/** Each path must hold a non-empty string ("missing credentials" is a 400 naming the field). */
export function requireStrings(configuration: Configuration, ...paths: string[]): FieldError[] {
  return paths.filter((path) => stringAt(configuration, path) === undefined).map((path) => error(path, `configuration.${path} is required (a non-empty string)`));
}

/** An optional string field that, when present, must match `pattern`. */
export function matchIfPresent(configuration: Configuration, path: string, pattern: RegExp, expectation: string): FieldError[] {
  const value = valueAt(configuration, path);
  if (value === undefined || value === null) return [];
  return typeof value === 'string' && pattern.test(value) ? [] : [error(path, `configuration.${path} must be ${expectation}`)];
}

export function oneOfIfPresent(configuration: Configuration, path: string, allowed: readonly string[]): FieldError[] {
  const value = valueAt(configuration, path);
  if (value === undefined) return [];
  return typeof value === 'string' && allowed.includes(value) ? [] : [error(path, `configuration.${path} must be one of ${allowed.join(', ')}`)];
}

/**
 * A URL the service will call (§7.1: HTTPS). `problemWith` is the SSRF-safe client's own check, so a URL that
 * passes here is one the client will also accept (plain HTTP only to loopback, when loopback is allowed).
 */
export function urlIfPresent(configuration: Configuration, path: string, problemWith: (url: string) => string | null): FieldError[] {
  const value = valueAt(configuration, path);
  if (value === undefined) return [];
  if (typeof value !== 'string' || value.length > 2000) return [error(path, `configuration.${path} must be an HTTPS URL of at most 2000 characters`)];
  const problem = problemWith(value);
  return problem ? [error(path, `configuration.${path}: ${problem}`)] : [];
}

export const E164 = /^\+[1-9]\d{6,14}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
