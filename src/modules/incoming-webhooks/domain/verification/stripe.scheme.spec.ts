import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { verifyStripe } from './stripe.scheme';

/** The Stripe scheme takes a v1 signature only in the one spelling Stripe's library accepts: 64 hex characters. */
describe('verifyStripe', () => {
  const secret = 'whsec_test_secret_value';
  const body = JSON.stringify({ id: 'evt_1', type: 'charge.refunded' });
  const now = new Date();
  const timestamp = Math.floor(now.getTime() / 1000);
  const signed = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  const verify = (header: string) => verifyStripe({ rawBody: Buffer.from(body), headers: { 'stripe-signature': header }, secrets: [secret], toleranceSeconds: 300, now });
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

  it('accepts the header made by the stripe library, and only its spelling: lower-case hex, as Stripe compares the text', () => {
    expect(signed).toBe(`t=${timestamp},v1=${v1}`);
    expect(verify(signed)).toEqual({ ok: true, deliveryId: 'evt_1', signedAt: new Date(timestamp * 1000) });
    expect(verify(`t=${timestamp},v1=${v1.toUpperCase()}`)).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('refuses a valid signature with a character appended, which a lenient hex decoding drops', () => {
    expect(verify(`${signed}0`)).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(verify(`${signed}f`)).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(verify(`t=${timestamp},v1=${v1}0z`)).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('refuses one cut short, and ignores a malformed v1 beside a valid one (rotation)', () => {
    expect(verify(`t=${timestamp},v1=${v1.slice(0, 63)}`)).toEqual({ ok: false, reason: 'malformed_signature' });
    expect(verify(`t=${timestamp},v1=${v1}0,v1=${v1}`).ok).toBe(true);
    const other = createHmac('sha256', 'whsec_other').update(`${timestamp}.${body}`).digest('hex');
    expect(verify(`t=${timestamp},v1=${other}`)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
