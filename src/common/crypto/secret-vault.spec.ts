import { createDecipheriv, randomBytes } from 'node:crypto';
import { KeyRingVault } from './secret-vault';

/** The parts of an envelope, by position in `v2:<keyId>:<wrapIv>:<wrapTag>:<wrappedDataKey>:<iv>:<tag>:<ciphertext>`. */
const PART = { version: 0, keyId: 1, wrapIv: 2, wrapTag: 3, wrappedKey: 4, iv: 5, tag: 6, ciphertext: 7 } as const;
const AUTHENTICATION_FAILED = /unable to authenticate data/;

/**
 * Sealed by the direct format (v1) before envelope encryption, with the key Buffer.alloc(32, 0x42) and the context
 * of an integration's configuration: what databases hold today.
 */
const LEGACY = {
  key: Buffer.alloc(32, 0x42),
  context: 'integration:3f2c6f0e-8a51-4d7e-9a43-0c1d2b3e4f50',
  sealed: 'v1:legacy:qKJOoLYLJUktom-3:4BU3EUl5oYMEvrWzjrK1Qw:TrgmjCe8D2IPkPbBtJVBHe6Vh4GWFijth3CROPqj5E2S04UkcnNaJ4FEk-KgIw',
  plaintext: '{"accessToken":"pat-na1-legacy","portal":"eu"}',
};

function withPart(sealed: string, index: number, edit: (bytes: Buffer) => Uint8Array): string {
  const parts = sealed.split(':');
  parts[index] = Buffer.from(edit(Buffer.from(parts[index], 'base64url'))).toString('base64url');
  return parts.join(':');
}

/** The data key inside an envelope, unwrapped by hand with the ring key: what the format promises, checked from outside. */
function dataKeyOf(sealed: string, ringKey: Buffer, context: string): Buffer {
  const parts = sealed.split(':');
  const bytes = (index: number) => Buffer.from(parts[index], 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', ringKey, bytes(PART.wrapIv), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(JSON.stringify(['v2', 'data-key', parts[PART.keyId], context])));
  decipher.setAuthTag(bytes(PART.wrapTag));
  return Buffer.concat([decipher.update(bytes(PART.wrappedKey)), decipher.final()]);
}

describe('KeyRingVault', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const before = new KeyRingVault({ keys: new Map([['k1', k1]]), activeKeyId: 'k1' });
  const after = new KeyRingVault({ keys: new Map([['k1', k1], ['k2', k2]]), activeKeyId: 'k2' });
  const retired = new KeyRingVault({ keys: new Map([['k2', k2]]), activeKeyId: 'k2' });

  it('seals an envelope under the active key and opens it with the key named in it', () => {
    for (const plaintext of ['sk_test_secret', '', 'clé секрет 🔑', 'x'.repeat(10_000)]) {
      const sealed = before.seal(plaintext, 'integration:1');
      expect(sealed.split(':')).toHaveLength(8);
      expect(sealed).toMatch(/^v2:k1:/);
      if (plaintext) expect(sealed).not.toContain(plaintext);
      expect(before.open(sealed, 'integration:1')).toBe(plaintext);
      expect(after.open(sealed, 'integration:1')).toBe(plaintext);
    }
    expect(after.isStale(before.seal('x', 'c'))).toBe(true);
    expect(after.isStale(after.seal('x', 'c'))).toBe(false);
  });

  it('draws a fresh data key and IVs for every seal, even of the same secret', () => {
    const [a, b] = [before.seal('whsec_same', 'webhook:1'), before.seal('whsec_same', 'webhook:1')];
    expect(dataKeyOf(a, k1, 'webhook:1')).toHaveLength(32);
    expect(dataKeyOf(a, k1, 'webhook:1').equals(dataKeyOf(b, k1, 'webhook:1'))).toBe(false);
    for (const part of [PART.wrapIv, PART.wrappedKey, PART.iv, PART.ciphertext]) {
      expect(a.split(':')[part]).not.toBe(b.split(':')[part]);
    }
  });

  describe('values of the direct format (v1), sealed before envelopes', () => {
    const legacy = new KeyRingVault({ keys: new Map([['legacy', LEGACY.key]]), activeKeyId: 'legacy' });

    it('still open, and only in their own context', () => {
      expect(legacy.open(LEGACY.sealed, LEGACY.context)).toBe(LEGACY.plaintext);
      expect(() => legacy.open(LEGACY.sealed, `${LEGACY.context}:oauth`)).toThrow(AUTHENTICATION_FAILED);
      expect(() => legacy.open(withPart(LEGACY.sealed, 4, (b) => b.map((x, i) => (i === 0 ? x ^ 1 : x))), LEGACY.context)).toThrow(AUTHENTICATION_FAILED);
    });

    it('are stale even under the active key, and rewrap upgrades them to envelopes', () => {
      expect(legacy.isStale(LEGACY.sealed)).toBe(true);
      const upgraded = legacy.rewrap(LEGACY.sealed, LEGACY.context);
      expect(upgraded).toMatch(/^v2:legacy:/);
      expect(legacy.isStale(upgraded)).toBe(false);
      expect(legacy.open(upgraded, LEGACY.context)).toBe(LEGACY.plaintext);
      expect(() => legacy.rewrap(LEGACY.sealed, 'integration:other')).toThrow(AUTHENTICATION_FAILED);
    });

    it('refuse an authentication tag cut short', () => {
      const cut = withPart(LEGACY.sealed, 3, (tag) => tag.subarray(0, 4));
      expect(() => legacy.open(cut, LEGACY.context)).toThrow(/auth.*tag/i);
    });
  });

  describe('rewrap, on rotation', () => {
    const sealed = before.seal('sk_live_rotated', 'integration:7');

    it('re-wraps only the data key under the active key, leaving the encrypted payload byte for byte', () => {
      const rewrapped = after.rewrap(sealed, 'integration:7');
      expect(rewrapped).toMatch(/^v2:k2:/);
      expect(after.isStale(rewrapped)).toBe(false);
      const [old, now] = [sealed.split(':'), rewrapped.split(':')];
      expect(now.slice(PART.iv)).toEqual(old.slice(PART.iv));
      expect(now[PART.wrapIv]).not.toBe(old[PART.wrapIv]);
      expect(now[PART.wrappedKey]).not.toBe(old[PART.wrappedKey]);
      expect(dataKeyOf(rewrapped, k2, 'integration:7').equals(dataKeyOf(sealed, k1, 'integration:7'))).toBe(true);
    });

    it('lets the old key leave the ring once everything is rewrapped', () => {
      const rewrapped = after.rewrap(sealed, 'integration:7');
      expect(retired.open(rewrapped, 'integration:7')).toBe('sk_live_rotated');
      expect(() => retired.open(sealed, 'integration:7')).toThrow('Encryption key "k1" is not in ENCRYPTION_KEYS');
    });

    it('returns a value already under the active key as it is', () => {
      const current = after.seal('x', 'c');
      expect(after.rewrap(current, 'c')).toBe(current);
    });

    it('refuses a value of another row, so rotation cannot launder a moved data key', () => {
      expect(() => after.rewrap(sealed, 'integration:8')).toThrow(AUTHENTICATION_FAILED);
    });
  });

  describe('tampering', () => {
    const context = 'webhook:1';
    const sealed = before.seal('whsec_abc', context);

    it.each([
      ['wrap IV', PART.wrapIv],
      ['wrap tag', PART.wrapTag],
      ['wrapped data key', PART.wrappedKey],
      ['payload IV', PART.iv],
      ['payload tag', PART.tag],
      ['ciphertext', PART.ciphertext],
    ])('of any byte of the %s fails to open', (_name, index) => {
      const length = Buffer.from(sealed.split(':')[index], 'base64url').length;
      for (let byte = 0; byte < length; byte++) {
        const tampered = withPart(sealed, index, (b) => b.map((x, i) => (i === byte ? x ^ 0x01 : x)));
        expect(() => before.open(tampered, context)).toThrow(AUTHENTICATION_FAILED);
      }
    });

    it('of the key id fails to open, even to a key of the ring', () => {
      const parts = sealed.split(':');
      parts[PART.keyId] = 'k2';
      expect(() => after.open(parts.join(':'), context)).toThrow(AUTHENTICATION_FAILED);
    });

    it('by swapping the wrapped data key or the payload of another value fails to open', () => {
      const other = before.seal('whsec_abc', context).split(':');
      const parts = sealed.split(':');
      const withOtherKey = [...parts.slice(0, PART.iv), ...other.slice(PART.iv)].join(':');
      const withOtherPayload = [...other.slice(0, PART.iv), ...parts.slice(PART.iv)].join(':');
      expect(() => before.open(withOtherKey, context)).toThrow(AUTHENTICATION_FAILED);
      expect(() => before.open(withOtherPayload, context)).toThrow(AUTHENTICATION_FAILED);
    });

    it('of the structure or the base64 spelling is refused before any decryption', () => {
      const parts = sealed.split(':');
      for (const malformed of [
        ['v1', ...parts.slice(1)].join(':'),
        parts.slice(0, 7).join(':'),
        `${sealed}:x`,
        [...parts.slice(0, PART.ciphertext), `${parts[PART.ciphertext]}!`].join(':'),
        withPart(sealed, PART.iv, (iv) => iv.subarray(0, 8)),
      ]) {
        expect(() => before.open(malformed, context)).toThrow('Not a sealed secret');
      }
    });

    it('refuses an authentication tag cut short, of the payload or of the wrap', () => {
      for (const index of [PART.wrapTag, PART.tag]) {
        expect(() => before.open(withPart(sealed, index, (tag) => tag.subarray(0, 4)), context)).toThrow(/auth.*tag/i);
      }
    });
  });

  it('refuses a value moved to another row (associated data)', () => {
    const sealed = before.seal('whsec_abc', 'webhook:1');
    expect(() => before.open(sealed, 'webhook:2')).toThrow(AUTHENTICATION_FAILED);
    expect(() => before.open(sealed, '')).toThrow(AUTHENTICATION_FAILED);
  });

  it('names a missing key by id only, and never shows a secret or a key in an error', () => {
    const sealed = after.seal('whsec_private', 'c');
    expect(() => before.open(sealed, 'c')).toThrow('Encryption key "k2" is not in ENCRYPTION_KEYS');
    const messages = [() => before.open(sealed, 'c'), () => after.open(sealed, 'd'), () => after.open(withPart(sealed, PART.tag, (t) => t.map((x) => x ^ 1)), 'c')].map((fail) => {
      try {
        fail();
        return '';
      } catch (error) {
        return String((error as Error).message);
      }
    });
    for (const message of messages) {
      expect(message).not.toBe('');
      for (const secret of ['whsec_private', k1.toString('base64'), k2.toString('base64'), k2.toString('base64url'), k2.toString('hex')]) expect(message).not.toContain(secret);
    }
  });
});
