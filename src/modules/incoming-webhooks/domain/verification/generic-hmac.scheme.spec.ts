import { createHmac } from 'node:crypto';
import { verifyGenericHmac } from './generic-hmac.scheme';
import type { GenericHmacSettings } from './verification';

/** The generic HMAC scheme takes a signature only in the digest's one spelling, hex or canonical base64. */
describe('verifyGenericHmac', () => {
  const body = Buffer.from('{"event":"contact.updated","id":42}');
  const now = new Date();
  const settings = (algorithm: GenericHmacSettings['algorithm'], encoding: GenericHmacSettings['encoding']): GenericHmacSettings => ({
    header: 'X-Signature',
    algorithm,
    encoding,
    prefix: `${algorithm}=`,
    idHeader: null,
  });
  const verify = (config: GenericHmacSettings, signature: string) =>
    verifyGenericHmac({ rawBody: body, headers: { 'x-signature': `${config.prefix}${signature}` }, secrets: ['k'], toleranceSeconds: 300, now }, config);
  const mac = (algorithm: GenericHmacSettings['algorithm'], encoding: GenericHmacSettings['encoding'] | 'base64url') => createHmac(algorithm, 'k').update(body).digest(encoding);
  /** The last base64 character before the padding, with its lowest bit (unused: no byte holds it) flipped. */
  const flipUnusedBit = (base64: string) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const at = base64.replace(/=+$/, '').length - 1;
    return base64.slice(0, at) + alphabet[alphabet.indexOf(base64[at]) ^ 1] + base64.slice(at + 1);
  };

  it.each(['sha256', 'sha512'] as const)('accepts a valid %s signature in hex (either case) and in base64', (algorithm) => {
    const hex = mac(algorithm, 'hex');
    expect(hex).toHaveLength(algorithm === 'sha256' ? 64 : 128);
    expect(verify(settings(algorithm, 'hex'), hex)).toEqual({ ok: true, deliveryId: null, signedAt: null });
    expect(verify(settings(algorithm, 'hex'), hex.toUpperCase()).ok).toBe(true);
    expect(verify(settings(algorithm, 'base64'), mac(algorithm, 'base64')).ok).toBe(true);
  });

  it.each(['sha256', 'sha512'] as const)('refuses a %s hex signature with a character appended or cut off', (algorithm) => {
    const hex = mac(algorithm, 'hex');
    expect(verify(settings(algorithm, 'hex'), `${hex}f`)).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(verify(settings(algorithm, 'hex'), `${hex}0`)).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(verify(settings(algorithm, 'hex'), hex.slice(1))).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it.each(['sha256', 'sha512'] as const)('refuses a %s base64 signature in a non-canonical spelling of the same bytes', (algorithm) => {
    const base64 = mac(algorithm, 'base64');
    const flipped = flipUnusedBit(base64);
    // The same MAC to a lenient decoder: only the spelling differs.
    expect(flipped).not.toBe(base64);
    expect(Buffer.from(flipped, 'base64').equals(Buffer.from(base64, 'base64'))).toBe(true);
    expect(verify(settings(algorithm, 'base64'), flipped)).toEqual({ ok: false, reason: 'malformed_signature' });
    // Without its padding (the scheme documents only padded base64), or with a character after it.
    expect(verify(settings(algorithm, 'base64'), base64.replace(/=+$/, ''))).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(verify(settings(algorithm, 'base64'), `${base64}A`)).toEqual({ ok: false, reason: 'malformed_signature' });
    // URL-safe alphabet, padded as base64 is, so only its `-`/`_` can be what is refused...
    const urlSafe = base64.replace(/\+/g, '-').replace(/\//g, '_');
    expect(urlSafe).not.toBe(base64);
    expect(urlSafe).toBe(mac(algorithm, 'base64url') + '='.repeat(base64.length - mac(algorithm, 'base64url').length));
    expect(verify(settings(algorithm, 'base64'), urlSafe)).toEqual({ ok: false, reason: 'malformed_signature' });
    // ...or the hex of the same bytes where base64 is configured.
    expect(verify(settings(algorithm, 'base64'), mac(algorithm, 'hex'))).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('refuses a well-formed signature of another key or algorithm', () => {
    const other = createHmac('sha256', 'other').update(body).digest('hex');
    expect(verify(settings('sha256', 'hex'), other)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(settings('sha512', 'hex'), mac('sha256', 'hex'))).toEqual({ ok: false, reason: 'malformed_signature' });
  });
});
