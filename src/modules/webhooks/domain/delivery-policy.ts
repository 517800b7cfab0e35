/**
 * What happens after an attempt (UC-WH-03, BR-WH-03..06, spec §11.3, DESIGN.md): pure rules, no I/O, so the
 * worker's hot path and the unit tests share them.
 *
 * - 2xx delivers. Redirects are never followed: a 3xx is a failed attempt, retried.
 * - 4xx is final, except 408 (timeout) and 429 (slow down), which retry.
 * - 429 and 503 honour `Retry-After` (seconds or an HTTP date) when it is later than the backoff.
 * - 5xx, timeouts and network errors retry: first after the base delay (1 min), then `multiplier` times longer
 *   each time, while retries remain (`maxRetries` after the first attempt) and before the delivery expires (24 h).
 *   A retry that would fall after the expiry is not scheduled: the delivery expires now instead.
 */
/**
 * The spec's statuses (§2.4). `Sending` is never stored: an attempt in flight leaves its delivery Pending or
 * Retrying, since marking it would cost one more write per attempt on the hottest path (bench/webhooks), and a
 * worker that dies mid-request would leave the mark behind for the sweep to undo.
 */
export const DELIVERY_STATUSES = ['Pending', 'Sending', 'Delivered', 'Failed', 'Retrying', 'Expired'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Deliveries that a queued job will still attempt. */
export const DUE_STATUSES: readonly DeliveryStatus[] = ['Pending', 'Retrying'];
/** Deliveries that are over for good, unless replayed or recovered. */
export const UNDELIVERED_FINAL_STATUSES: readonly DeliveryStatus[] = ['Failed', 'Expired'];

export interface AttemptResult {
  /** null when no HTTP answer came (timeout, network error, refused target). */
  statusCode: number | null;
  retryAfterHeader?: string | string[];
}

export interface RetryRules {
  maxRetries: number;
  backoffMultiplier: number;
  baseDelayMs: number;
}

export type AttemptDecision =
  | { status: 'Delivered' }
  | { status: 'Retrying'; nextRetryAt: Date }
  | { status: 'Failed' | 'Expired'; reason: string };

export function isSuccess(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

export function isRetryable(statusCode: number | null): boolean {
  if (statusCode === null) return true;
  if (statusCode === 408 || statusCode === 429) return true;
  return statusCode < 400 || statusCode >= 500;
}

/** Delay before retry number `retry` (1 = the first retry). */
export function backoffDelayMs(retry: number, rules: Pick<RetryRules, 'baseDelayMs' | 'backoffMultiplier'>): number {
  return rules.baseDelayMs * rules.backoffMultiplier ** (retry - 1);
}

/** `Retry-After` as milliseconds from `now`, or null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: Date): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}

/**
 * @param attemptsInRound attempts made since the delivery was (re)queued, this one included
 */
export function decideAfterAttempt(result: AttemptResult, attemptsInRound: number, expiresAt: Date, rules: RetryRules, now: Date): AttemptDecision {
  if (isSuccess(result.statusCode)) return { status: 'Delivered' };
  if (!isRetryable(result.statusCode)) return { status: 'Failed', reason: `The receiver answered ${result.statusCode}; client errors are not retried` };
  const retry = attemptsInRound; // the retry that would come next: 1 after the first attempt
  if (retry > rules.maxRetries) return { status: 'Failed', reason: `No retries left (maxRetries ${rules.maxRetries})` };
  let delay = backoffDelayMs(retry, rules);
  if (result.statusCode === 429 || result.statusCode === 503) delay = Math.max(delay, retryAfterMs(result.retryAfterHeader, now) ?? 0);
  // Compared as numbers before any Date is made: a receiver's Retry-After of 9000000000000 s lies past the last
  // date JavaScript holds, and the invalid Date it made compared as "not after the expiry" and then failed to
  // serialize, failing the whole batch of outcomes it was written with, other tenants' included.
  const retryAt = now.getTime() + delay;
  if (!(retryAt < expiresAt.getTime())) return { status: 'Expired', reason: 'The next retry would fall after the delivery expires (24 h after it was scheduled)' };
  return { status: 'Retrying', nextRetryAt: new Date(retryAt) };
}
