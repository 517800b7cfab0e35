import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { signLikeGitHub } from '../../../../../test/support/octokit-sign';
import { IncomingWebhookSettings } from '../incoming-webhook-settings';
import { verifySignature } from './verify-signature';

/** Each scheme against signatures made by the providers' own libraries, and against tampering. */
describe('incoming webhook signatures', () => {
  const body = JSON.stringify({ id: 'evt_123', type: 'charge.refunded', data: { object: { amount: 500 } } });
  const raw = Buffer.from(body);
  const now = new Date();
  const settings = (scheme: IncomingWebhookSettings['scheme'], secrets: string[], extra: Partial<IncomingWebhookSettings> = {}): IncomingWebhookSettings => ({
    scheme,
    secrets,
    toleranceSeconds: 300,
    allowedIps: [],
    hmac: null,
    republish: {},
    syncOn: {},
    ...extra,
  });

  describe('Stripe', () => {
    const stripe = new Stripe('sk_test_unused');
    const secret = 'whsec_test_secret_value';
    const sign = (payload: string, timestamp = Math.floor(now.getTime() / 1000), key = secret) =>
      stripe.webhooks.generateTestHeaderString({ payload, secret: key, timestamp });

    it('accepts a signature made by the stripe library and reads the event id', () => {
      expect(verifySignature(settings('stripe', [secret]), raw, { 'stripe-signature': sign(body) }, now)).toEqual({ ok: true, deliveryId: 'evt_123', signedAt: expect.any(Date) });
    });

    it('accepts any of several secrets (rotation)', () => {
      expect(verifySignature(settings('stripe', ['whsec_old', secret]), raw, { 'stripe-signature': sign(body) }, now).ok).toBe(true);
    });

    it('refuses a tampered body, a wrong secret, a stale timestamp and missing or garbled headers', () => {
      const header = sign(body);
      expect(verifySignature(settings('stripe', [secret]), Buffer.from(body.replace('500', '5000')), { 'stripe-signature': header }, now)).toEqual({ ok: false, reason: 'bad_signature' });
      expect(verifySignature(settings('stripe', ['whsec_other']), raw, { 'stripe-signature': header }, now)).toEqual({ ok: false, reason: 'bad_signature' });
      const old = sign(body, Math.floor(now.getTime() / 1000) - 301);
      expect(verifySignature(settings('stripe', [secret]), raw, { 'stripe-signature': old }, now)).toEqual({ ok: false, reason: 'stale_timestamp' });
      expect(verifySignature(settings('stripe', [secret]), raw, {}, now)).toEqual({ ok: false, reason: 'missing_signature' });
      expect(verifySignature(settings('stripe', [secret]), raw, { 'stripe-signature': 'garbage' }, now)).toEqual({ ok: false, reason: 'malformed_signature' });
    });
  });

  describe('GitHub', () => {
    const secret = 'github-hook-secret';

    it('accepts a signature made by @octokit/webhooks-methods and dedupes on X-GitHub-Delivery', () => {
      const signature = signLikeGitHub(secret, body);
      expect(verifySignature(settings('github', [secret]), raw, { 'x-hub-signature-256': signature, 'x-github-delivery': 'd-1' }, now)).toEqual({ ok: true, deliveryId: 'd-1', signedAt: null });
      expect(verifySignature(settings('github', ['wrong']), raw, { 'x-hub-signature-256': signature }, now)).toEqual({ ok: false, reason: 'bad_signature' });
      expect(verifySignature(settings('github', [secret]), raw, { 'x-hub-signature-256': 'sha1=abc' }, now)).toEqual({ ok: false, reason: 'malformed_signature' });
    });
  });

  describe('Standard Webhooks', () => {
    const secret = `whsec_${Buffer.from('a standard webhooks secret!').toString('base64')}`;
    const signed = (at: Date, key = secret) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(key).sign('msg_1', at, body),
    });

    it('accepts a signature made by the standardwebhooks library, in either direction of the tolerance', () => {
      expect(verifySignature(settings('standard-webhooks', [secret]), raw, signed(now), now)).toMatchObject({ ok: true, deliveryId: 'msg_1' });
      expect(verifySignature(settings('standard-webhooks', [secret]), raw, signed(new Date(now.getTime() + 200_000)), now).ok).toBe(true);
    });

    it('refuses future and past timestamps beyond five minutes, and tampered bodies', () => {
      expect(verifySignature(settings('standard-webhooks', [secret]), raw, signed(new Date(now.getTime() + 400_000)), now)).toEqual({ ok: false, reason: 'stale_timestamp' });
      expect(verifySignature(settings('standard-webhooks', [secret]), raw, signed(new Date(now.getTime() - 400_000)), now)).toEqual({ ok: false, reason: 'stale_timestamp' });
      expect(verifySignature(settings('standard-webhooks', [secret]), Buffer.from(`${body} `), signed(now), now)).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('honours a tolerance above the library\'s own five minutes, both ways, and refuses beyond it', () => {
      const hour = settings('standard-webhooks', [secret], { toleranceSeconds: 3600 });
      expect(verifySignature(hour, raw, signed(new Date(now.getTime() - 1800_000)), now)).toMatchObject({ ok: true, deliveryId: 'msg_1' });
      expect(verifySignature(hour, raw, signed(new Date(now.getTime() + 1800_000)), now).ok).toBe(true);
      expect(verifySignature(hour, raw, signed(new Date(now.getTime() - 3700_000)), now)).toEqual({ ok: false, reason: 'stale_timestamp' });
    });

    it('accepts any one of several signatures, and only v1 ones', () => {
      const headers = signed(now);
      const other = new Webhook(`whsec_${Buffer.from('someone else').toString('base64')}`).sign('msg_1', now, body);
      expect(verifySignature(settings('standard-webhooks', [secret]), raw, { ...headers, 'webhook-signature': `${other} ${headers['webhook-signature']}` }, now).ok).toBe(true);
      expect(verifySignature(settings('standard-webhooks', [secret]), raw, { ...headers, 'webhook-signature': `${other} ${headers['webhook-signature'].replace('v1,', 'v2,')}` }, now)).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('treats a secret the library cannot use (not base64, empty) as one that does not match, and tries the next', () => {
      expect(verifySignature(settings('standard-webhooks', ['bad', 'whsec_', secret]), raw, signed(now), now)).toMatchObject({ ok: true, deliveryId: 'msg_1' });
      expect(verifySignature(settings('standard-webhooks', ['bad', 'whsec_']), raw, signed(now), now)).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('takes every spelling of a secret the library takes, as the key the library signs with', () => {
      // base64 of "abcd" is YWJjZA==; the library also takes it unpadded, with unused bits set, or with a stray
      // last character it never decodes, and without the prefix.
      for (const key of [secret, secret.slice('whsec_'.length), 'whsec_YWJjZA==', 'whsec_YWJjZA', 'whsec_YWJjZB==', 'whsec_YWJjZ']) {
        expect({ key, verdict: verifySignature(settings('standard-webhooks', [key]), raw, signed(now, key), now) }).toEqual({ key, verdict: { ok: true, deliveryId: 'msg_1', signedAt: expect.any(Date) } });
      }
    });

    describe('over the raw bytes', () => {
      /** The specification's signature: over the body's own bytes, whatever they are. */
      const signedOverBytes = (bytes: Buffer, key = secret) => {
        const timestamp = Math.floor(now.getTime() / 1000);
        const mac = createHmac('sha256', Buffer.from(key.slice('whsec_'.length), 'base64')).update(`msg_1.${timestamp}.`).update(bytes).digest('base64');
        return { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${mac}` };
      };
      // JSON whose string holds bytes that are not UTF-8; as UTF-8 text both bodies read the same (U+FFFD twice).
      const notUtf8 = (...bytes: number[]) => Buffer.concat([Buffer.from('{"type":"file.uploaded","data":"'), Buffer.from(bytes), Buffer.from('"}')]);
      const sent = notUtf8(0xff, 0xfe);
      const substituted = notUtf8(0xfe, 0xff);

      it('signs as the library does where the body is UTF-8', () => {
        expect(signedOverBytes(raw)).toEqual(signed(now));
      });

      it('accepts a body that is not UTF-8, signed over its bytes', () => {
        expect(verifySignature(settings('standard-webhooks', [secret]), sent, signedOverBytes(sent), now)).toEqual({ ok: true, deliveryId: 'msg_1', signedAt: new Date(Math.floor(now.getTime() / 1000) * 1000) });
      });

      it('refuses another body that reads the same as UTF-8 text, and a signature over that text', () => {
        expect(substituted.equals(sent)).toBe(false);
        expect(substituted.toString('utf8')).toBe(sent.toString('utf8'));
        expect(verifySignature(settings('standard-webhooks', [secret]), substituted, signedOverBytes(sent), now)).toEqual({ ok: false, reason: 'bad_signature' });
        // The library's sign() of a Buffer signs its UTF-8 reading: the bytes EF BF BD, which neither body holds.
        const overText = { ...signedOverBytes(sent), 'webhook-signature': new Webhook(secret).sign('msg_1', now, sent) };
        expect(overText['webhook-signature']).toBe(signedOverBytes(Buffer.from(sent.toString('utf8')))['webhook-signature']);
        expect(verifySignature(settings('standard-webhooks', [secret]), sent, overText, now)).toEqual({ ok: false, reason: 'bad_signature' });
        expect(verifySignature(settings('standard-webhooks', [secret]), substituted, overText, now)).toEqual({ ok: false, reason: 'bad_signature' });
      });
    });
  });

  describe('generic HMAC', () => {
    it('follows the configured header, algorithm, encoding and prefix', () => {
      const mac = createHmac('sha512', 'k').update(raw).digest('base64');
      const hmac = { header: 'X-Signature', algorithm: 'sha512' as const, encoding: 'base64' as const, prefix: 'sig=', idHeader: 'x-delivery' };
      expect(verifySignature(settings('hmac', ['k'], { hmac }), raw, { 'x-signature': `sig=${mac}`, 'x-delivery': 'abc' }, now)).toEqual({ ok: true, deliveryId: 'abc', signedAt: null });
      expect(verifySignature(settings('hmac', ['k'], { hmac }), raw, { 'x-signature': mac }, now)).toEqual({ ok: false, reason: 'malformed_signature' });
      expect(verifySignature(settings('hmac', ['other'], { hmac }), raw, { 'x-signature': `sig=${mac}` }, now)).toEqual({ ok: false, reason: 'bad_signature' });
    });
  });
});
