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

describe('a webhook secret rotated while an earlier rotation’s grace period runs', () => {
  const now = new Date('2027-01-01T00:00:00Z');

  it('is refused with a grace period, so the secret receivers were promised keeps signing; 0 or a later time is accepted', () => {
    const { webhook, secret: original } = Webhook.create('00000000-0000-4000-8000-000000000001', settings, null, before, now);
    const first = webhook.rotateSecret(before, 3600, null, now);
    const halfway = new Date(now.getTime() + 1_800_000);
    expect(() => webhook.rotateSecret(before, 3600, null, halfway)).toThrow(expect.objectContaining({ code: 'webhook.rotation_in_progress' }));
    expect(webhook.signingSecrets(before, halfway)).toEqual([first, original]);
    const later = new Date(now.getTime() + 3_600_000);
    const second = webhook.rotateSecret(before, 3600, null, later);
    expect(webhook.signingSecrets(before, later)).toEqual([second, first]);
    const third = webhook.rotateSecret(before, 0, null, later);
    expect(webhook.signingSecrets(before, later)).toEqual([third]);
  });
});

describe('a webhook given a new URL', () => {
  const now = new Date('2027-01-01T00:00:00Z');

  it('starts afresh the failure streak the old URL ran up, keeping its failure-rate alert; the same URL again keeps both', () => {
    const { webhook } = Webhook.create('00000000-0000-4000-8000-000000000001', settings, null, before, now);
    const failingSince = new Date(now.getTime() - 4 * 86_400_000);
    webhook.failingSince = failingSince;
    webhook.failureAlertActive = true;
    webhook.update({ url: settings.url }, null, now);
    expect(webhook.failingSince).toEqual(failingSince);
    webhook.update({ url: 'https://hooks.example.com/fixed' }, null, now);
    expect(webhook.failingSince).toBeNull();
    expect(webhook.failureAlertActive).toBe(true);
    expect(webhook.disableIfFailingFor(5 * 86_400_000 / 1000, new Date(now.getTime() + 86_400_000))).toBe(false);
  });
});
