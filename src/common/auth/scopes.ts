import { CommonError, CommonErrorCode } from '../errors/domain-error';

/** Every scope a key can hold (DESIGN.md, "Tenancy and authorization"). */
export const SCOPES = [
  'integration:read',
  'integration:admin',
  'integration:manage',
  'webhook:manage',
  'datasync:manage',
  'events:publish',
  'platform:admin',
] as const;

export type Scope = (typeof SCOPES)[number];

/** A tenant's first key holds every scope but the platform operator's. */
export const TENANT_ADMIN_SCOPES: Scope[] = SCOPES.filter((s) => s !== 'platform:admin');

export function missingScopes(held: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((scope) => !held.includes(scope));
}

/** 403 naming each scope of `wanted` that `held` lacks: one wording for routes, the queue dashboard and streams. */
export function assertHoldsScopes(held: readonly string[], wanted: readonly string[]): void {
  const missing = missingScopes(held, wanted);
  if (missing.length) throw new CommonError(CommonErrorCode.MissingScope, `The API key lacks the scope ${missing.join(', ')}`, { missingScopes: missing });
}
