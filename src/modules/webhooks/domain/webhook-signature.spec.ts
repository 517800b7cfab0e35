import { Webhook as StandardWebhook } from 'standardwebhooks';
import { generateWebhookSecret, signedHeaders, webhookBody } from './webhook-signature';

describe('Standard Webhooks signing', () => {
  it('makes secrets of the whsec_ form with 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('signs so that the standardwebhooks library verifies, with either secret during a rotation', () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = webhookBody('BookingConfirmed', new Date(), { bookingId: 'b-1', total: 12.5 });
    const headers = signedHeaders([current, previous], 'msg_1', body, new Date());
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new StandardWebhook(current).verify(body, { ...headers })).toMatchObject({ type: 'BookingConfirmed', data: { bookingId: 'b-1' } });
    expect(new StandardWebhook(previous).verify(body, { ...headers })).toBeTruthy();
    expect(() => new StandardWebhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow();
    expect(() => new StandardWebhook(current).verify(body.replace('12.5', '13'), { ...headers })).toThrow();
  });
});
