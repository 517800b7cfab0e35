import { randomBytes } from 'node:crypto';
import { KeyRingVault } from '../../../common/crypto/secret-vault';
import { Webhook } from './webhook.entity';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const before = new KeyRingVault({ keys: new Map([['k1', oldKey]]), activeKeyId: 'k1' });
const rotating = new KeyRingVault({ keys: new Map([['k1', oldKey], ['k2', newKey]]), activeKeyId: 'k2' });
const after = new KeyRingVault({ keys: new Map([['k2', newKey]]), activeKeyId: 'k2' });
const settings = { url: 'https://hooks.example.com/in', description: null, eventTypes: ['APIKeyGenerated'], maxRetries: 5, backoffMultiplier: 2, timeoutSeconds: 30, integrationId: null };

describe('a webhook re-sealed for a key rotation', () => {
  const now = new Date('2027-01-01T00:00:00Z');

  function rotatedWebhook(): { webhook: Webhook; previous: string; current: string } {
    const { webhook, secret: previous } = Webhook.create('00000000-0000-4000-8000-000000000001', settings, null, before, now);
    const current = webhook.rotateSecret(before, 3600, null, now);
    return { webhook, previous, current };
  }

  it('moves both secrets of a rotation in its grace period to the active key, so they sign without the old one', () => {
    const { webhook, previous, current } = rotatedWebhook();
    expect(webhook.reseal(rotating, now)).toBe(true);
    expect([webhook.secret, webhook.previousSecret]).toEqual([expect.stringMatching(/^v2:k2:/), expect.stringMatching(/^v2:k2:/)]);
    expect(webhook.signingSecrets(after, now)).toEqual([current, previous]);
    expect(webhook.reseal(rotating, now)).toBe(false);
  });

  it('drops a previous secret whose grace period has ended instead of carrying it over', () => {
    const { webhook, current } = rotatedWebhook();
    const later = new Date(now.getTime() + 2 * 3_600_000);
    expect(webhook.reseal(rotating, later)).toBe(true);
    expect(webhook.previousSecret).toBeNull();
    expect(webhook.previousSecretExpiresAt).toBeNull();
    expect(webhook.signingSecrets(after, later)).toEqual([current]);
  });

  it('cannot re-seal what was sealed under a key that has left the ring', () => {
    const { webhook } = rotatedWebhook();
    expect(() => webhook.reseal(after, now)).toThrow('Encryption key "k1" is not in ENCRYPTION_KEYS');
  });
});
