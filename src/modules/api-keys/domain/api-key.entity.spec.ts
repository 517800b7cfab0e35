import { ApiKey, NewApiKey } from './api-key.entity';
import { ApiKeyError, ApiKeyErrorCode } from './api-key.errors';
import { hashApiKey } from './api-key-token';

const props: NewApiKey = {
  tenantId: '11111111-1111-4111-8111-111111111111',
  keyName: 'Mobile',
  scopes: ['webhook:manage', 'integration:read'],
  expiresAt: null,
  rateLimitPerHour: 1000,
  createdBy: null,
};

function codeOf(action: () => unknown): ApiKeyErrorCode | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiKeyError) return error.code as ApiKeyErrorCode;
    throw error;
  }
  return undefined;
}

describe('ApiKey aggregate', () => {
  it('stores only the hash and prefix of the secret and raises APIKeyGenerated', () => {
    const { apiKey, token } = ApiKey.generate(props);
    expect(apiKey.keyHash).toBe(hashApiKey(token));
    expect(apiKey.keyPrefix).toBe(token.slice(0, 8));
    expect(JSON.stringify(apiKey.getUncommittedEvents())).not.toContain(token);
    expect(apiKey.getUncommittedEvents().map((e) => e.constructor.name)).toEqual(['ApiKeyGeneratedEvent']);
    expect(apiKey.scopes).toEqual(['integration:read', 'webhook:manage']);
  });

  it('refuses an expiry in the past', () => {
    expect(codeOf(() => ApiKey.generate({ ...props, expiresAt: new Date(Date.now() - 1000) }))).toBe(ApiKeyErrorCode.ExpiryInPast);
  });

  it('narrows scopes and refuses to widen them (BR-AK-06)', () => {
    const { apiKey } = ApiKey.generate(props);
    apiKey.update({ scopes: ['integration:read'] }, null);
    expect(apiKey.scopes).toEqual(['integration:read']);
    expect(codeOf(() => apiKey.update({ scopes: ['integration:read', 'webhook:manage'] }, null))).toBe(ApiKeyErrorCode.ScopesExpanded);
    expect(apiKey.scopes).toEqual(['integration:read']);
  });

  it('never comes back once revoked (BR-AK-07)', () => {
    const { apiKey } = ApiKey.generate(props);
    apiKey.revoke('22222222-2222-4222-8222-222222222222', 'Leaked');
    expect(apiKey.status()).toBe('Revoked');
    expect(codeOf(() => apiKey.revoke(null, 'Again'))).toBe(ApiKeyErrorCode.Revoked);
    expect(codeOf(() => apiKey.update({ rateLimitPerHour: 5 }, null))).toBe(ApiKeyErrorCode.Revoked);
    expect(codeOf(() => apiKey.rotate(60, null))).toBe(ApiKeyErrorCode.Revoked);
  });

  it('rotates into a twin key and keeps the old one until the grace period ends', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const { apiKey: old } = ApiKey.generate({ ...props, expiresAt: new Date('2026-06-01T00:00:00Z') }, now);
    const { apiKey: next } = old.rotate(3600, null, now);
    expect(next.scopes).toEqual(old.scopes);
    expect(next.expiresAt).toEqual(new Date('2026-06-01T00:00:00Z'));
    expect(old.expiresAt).toEqual(new Date('2026-01-01T01:00:00Z'));
    expect(old.status(new Date('2026-01-01T00:59:59Z'))).toBe('Active');
    expect(old.status(new Date('2026-01-01T01:00:00Z'))).toBe('Expired');
    expect(codeOf(() => old.rotate(60, null, now))).toBe(ApiKeyErrorCode.AlreadyRotated);
  });

  it('never lengthens a key by rotating it: an expiry sooner than the grace period stays', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const { apiKey: old } = ApiKey.generate({ ...props, expiresAt: new Date('2026-01-01T00:10:00Z') }, now);
    old.rotate(3600, null, now);
    expect(old.expiresAt).toEqual(new Date('2026-01-01T00:10:00Z'));
  });

  it('revokes at once when rotated with no grace period', () => {
    const { apiKey: old } = ApiKey.generate(props);
    old.rotate(0, null);
    expect(old.status()).toBe('Revoked');
    expect(old.revocationReason).toBe('Rotated');
  });
});
