import { backoffDelayMs, decideAfterAttempt, retryAfterMs, RetryRules } from './delivery-policy';

const rules: RetryRules = { maxRetries: 5, backoffMultiplier: 2, baseDelayMs: 60_000 };
const now = new Date('2026-11-23T12:00:00Z');
const in24h = new Date(now.getTime() + 24 * 3600_000);

describe('delivery policy', () => {
  it('backs off 1, 2, 4, 8, 16 minutes (BR-WH-04)', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, rules) / 60_000)).toEqual([1, 2, 4, 8, 16]);
  });

  it('delivers on 2xx and fails for good on 4xx other than 408 and 429', () => {
    expect(decideAfterAttempt({ statusCode: 204 }, 1, in24h, rules, now)).toEqual({ status: 'Delivered' });
    for (const code of [400, 401, 404, 410, 413, 422]) expect(decideAfterAttempt({ statusCode: code }, 1, in24h, rules, now).status).toBe('Failed');
  });

  it('retries 3xx, 408, 429, 5xx, timeouts and network errors', () => {
    for (const code of [301, 302, 408, 429, 500, 502, 503, null]) {
      expect(decideAfterAttempt({ statusCode: code }, 1, in24h, rules, now)).toEqual({ status: 'Retrying', nextRetryAt: new Date(now.getTime() + 60_000) });
    }
  });

  it('stops after maxRetries retries: 1 attempt + 5 retries', () => {
    expect(decideAfterAttempt({ statusCode: 500 }, 5, in24h, rules, now).status).toBe('Retrying');
    expect(decideAfterAttempt({ statusCode: 500 }, 6, in24h, rules, now).status).toBe('Failed');
    expect(decideAfterAttempt({ statusCode: 500 }, 1, in24h, { ...rules, maxRetries: 0 }, now).status).toBe('Failed');
  });

  it('expires instead of scheduling a retry past the expiry (BR-WH-05)', () => {
    expect(decideAfterAttempt({ statusCode: 500 }, 1, new Date(now.getTime() + 30_000), rules, now).status).toBe('Expired');
  });

  it('honours Retry-After on 429 and 503, in seconds or as a date, when later than the backoff', () => {
    expect(decideAfterAttempt({ statusCode: 429, retryAfterHeader: '120' }, 1, in24h, rules, now)).toEqual({ status: 'Retrying', nextRetryAt: new Date(now.getTime() + 120_000) });
    expect(decideAfterAttempt({ statusCode: 503, retryAfterHeader: 'Mon, 23 Nov 2026 12:05:00 GMT' }, 1, in24h, rules, now)).toEqual({
      status: 'Retrying',
      nextRetryAt: new Date('2026-11-23T12:05:00Z'),
    });
    expect(decideAfterAttempt({ statusCode: 500, retryAfterHeader: '600' }, 1, in24h, rules, now)).toEqual({ status: 'Retrying', nextRetryAt: new Date(now.getTime() + 60_000) });
    expect(retryAfterMs('soon', now)).toBeNull();
  });

  it('expires on a Retry-After beyond any date, rather than making an invalid one', () => {
    for (const seconds of ['9000000000000', '9'.repeat(400)]) {
      expect(decideAfterAttempt({ statusCode: 503, retryAfterHeader: seconds }, 1, in24h, rules, now).status).toBe('Expired');
    }
  });
});
