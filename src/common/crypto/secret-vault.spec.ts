import { randomBytes } from 'node:crypto';
import { KeyRingVault } from './secret-vault';

describe('KeyRingVault', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const before = new KeyRingVault({ keys: new Map([['k1', k1]]), activeKeyId: 'k1' });
  const after = new KeyRingVault({ keys: new Map([['k1', k1], ['k2', k2]]), activeKeyId: 'k2' });

  it('seals with the active key and opens with the key named in the envelope', () => {
    const sealed = before.seal('sk_test_secret', 'integration:1');
    expect(sealed).toMatch(/^v1:k1:/);
    expect(sealed).not.toContain('sk_test_secret');
    expect(after.open(sealed, 'integration:1')).toBe('sk_test_secret');
    expect(after.isStale(sealed)).toBe(true);
    expect(after.isStale(after.seal('x', 'c'))).toBe(false);
  });

  it('refuses a ciphertext moved to another row or tampered with', () => {
    const sealed = before.seal('whsec_abc', 'webhook:1');
    expect(() => before.open(sealed, 'webhook:2')).toThrow();
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => before.open(parts.join(':'), 'webhook:1')).toThrow();
  });

  it('refuses an authentication tag cut short', () => {
    const parts = before.seal('whsec_abc', 'webhook:1').split(':');
    parts[3] = Buffer.from(parts[3], 'base64url').subarray(0, 4).toString('base64url');
    expect(() => before.open(parts.join(':'), 'webhook:1')).toThrow(/auth.*tag/i);
  });

  it('names a missing key by id only', () => {
    const sealed = after.seal('x', 'c');
    expect(() => before.open(sealed, 'c')).toThrow('Encryption key "k2" is not in ENCRYPTION_KEYS');
  });
});
