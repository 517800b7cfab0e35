import { Webhook } from 'standardwebhooks';
import { SECRET_PREFIX } from '../../../webhooks/domain/webhook-signature';
import { header, hmac, rejected, sameMac, Verification, VerificationInput, withinTolerance } from './verification';

/**
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`, any one matching):
 * the base64 HMAC-SHA256 of `{id}.{timestamp}.` and the raw body's bytes, compared as text in constant time.
 *
 * Not the `standardwebhooks` library's sign(): it turns a Buffer into a UTF-8 string first, so bytes that are not
 * UTF-8 become U+FFFD; a body signed over its own bytes (the specification's) was refused, and different bodies
 * with the same substitution shared one signature. The library still says which secrets are valid (its key
 * format is the reference), and the tests sign with it. The timestamp check is ours too: the library's verify()
 * enforces its own fixed five-minute window, while toleranceSeconds may be up to an hour. Honouring it was chosen
 * over refusing one above 300 s for this scheme: INCOMING_WEBHOOKS_TOLERANCE_SECONDS (1–3600) is every scheme's
 * default, so a deployment with a larger one would have found all its Standard Webhooks integrations refused.
 */
export function verifyStandardWebhooks(input: VerificationInput): Verification {
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signature = header(input.headers, 'webhook-signature');
  if (!id || !timestamp || !signature) return rejected('missing_signature');
  if (!/^\d+$/.test(timestamp) || !/(^|\s)v1,/.test(signature)) return rejected('malformed_signature');
  const signedAt = new Date(Number(timestamp) * 1000);
  if (!withinTolerance(signedAt, input.now, input.toleranceSeconds)) return rejected('stale_timestamp');
  const given = signature
    .split(/\s+/)
    .filter((item) => item.startsWith('v1,'))
    .map((item) => Buffer.from(item.slice('v1,'.length)));
  // The timestamp as a number, as the library signs it (a zero-padded header is signed without its zeros).
  const signedContent = `${id}.${Math.floor(signedAt.getTime() / 1000)}.`;
  for (const secret of input.secrets) {
    const key = keyOf(secret);
    // Refused when an integration is configured; one stored earlier matches nothing, and the next may.
    if (!key) continue;
    const expected = Buffer.from(hmac('sha256', key, signedContent, input.rawBody).toString('base64'));
    if (given.some((candidate) => sameMac(expected, candidate))) return { ok: true, deliveryId: id, signedAt };
  }
  return rejected('bad_signature');
}

/** Whether the library can sign with this secret: `whsec_` (optional) and the base64 of at least one byte. */
export function isStandardWebhooksSecret(secret: string): boolean {
  try {
    new Webhook(secret);
    return true;
  } catch {
    // A plain Error (not base64, or empty), which says nothing of the secret worth keeping.
    return false;
  }
}

/**
 * The HMAC key of a secret the library takes, or null. For those, Node's base64 decoding gives the library's
 * bytes (its decoder is stricter about which texts it takes, not about what they decode to), and the tests check
 * it by verifying what the library signed with such secrets, unpadded and non-canonical ones included.
 */
function keyOf(secret: string): Buffer | null {
  if (!isStandardWebhooksSecret(secret)) return null;
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}
