import { createHmac, randomBytes } from 'node:crypto';

/**
 * The Standard Webhooks wire format (DESIGN.md): secret `whsec_<base64 of random bytes>`; each request carries
 * `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`, which holds `v1,<base64 HMAC-SHA256
 * of "{id}.{timestamp}.{body}">` per valid secret, space-separated, so receivers keep verifying while a secret
 * rotates. Receivers verify with any Standard Webhooks library (the tests use the `standardwebhooks` package).
 */
export const SECRET_PREFIX = 'whsec_';
/** 32 bytes: inside the 24–64 the specification allows, and the HMAC-SHA256 block-size sweet spot. */
const SECRET_BYTES = 32;

/**
 * Whether `value` is a secret this service can sign with, as Standard Webhooks defines one: `whsec_` and the
 * canonical base64 of 24 to 64 bytes.
 */
export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const encoded = value.slice(SECRET_PREFIX.length);
  const bytes = Buffer.from(encoded, 'base64');
  return bytes.length >= 24 && bytes.length <= 64 && bytes.toString('base64') === encoded;
}

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

export function signatureFor(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
}

export interface SignedHeaders {
  'content-type': 'application/json';
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The headers of one request, signed with every secret given (the current one first). */
export function signedHeaders(secrets: readonly string[], messageId: string, body: string, at: Date): SignedHeaders {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => signatureFor(secret, messageId, timestamp, body)).join(' '),
  };
}

/** The body every receiver gets: `{ type, timestamp, data }`. */
export function webhookBody(eventType: string, occurredAt: Date | string, data: unknown): string {
  return JSON.stringify({ type: eventType, timestamp: new Date(occurredAt).toISOString(), data });
}
