import { PerWebhookLimiter } from './per-webhook-limiter';

describe('PerWebhookLimiter', () => {
  it('lets `limit` requests through per webhook, hands a freed slot to a waiter, and gives up after the wait', async () => {
    const limiter = new PerWebhookLimiter(2, 50);
    const a = await limiter.acquire('slow');
    const b = await limiter.acquire('slow');
    expect(a && b).toBeTruthy();
    expect(await limiter.acquire('fast')).toBeTruthy(); // other webhooks are not held up

    const waiting = limiter.acquire('slow');
    a!();
    expect(await waiting).toBeTruthy();
    expect(limiter.inFlight('slow')).toBe(2);

    expect(await limiter.acquire('slow')).toBeNull(); // nothing freed within 50 ms
  });
});
