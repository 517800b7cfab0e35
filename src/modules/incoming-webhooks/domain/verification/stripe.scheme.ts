import { decodeHexMac, DIGEST_BYTES } from './strict-encoding';
import { hmac, header, rejected, sameMac, Verification, VerificationInput, withinTolerance } from './verification';

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{body}">[,v1=…]` with the endpoint secret
 * (`whsec_…`, used as is). Several v1 values may come (Stripe's secret rotation); any one matching is enough.
 * The event id is in the body (`id`), parsed only after the signature holds. A v1 value is exactly 64 lower-case
 * hex characters or is ignored, as Stripe's library (which compares the hex text) matches no other: decoded
 * leniently, a valid one with `0` appended verified too.
 */
export function verifyStripe(input: VerificationInput): Verification {
  const value = header(input.headers, 'stripe-signature');
  if (!value) return rejected('missing_signature');
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of value.split(',')) {
    const [key, ...rest] = item.trim().split('=');
    const part = rest.join('=');
    if (key === 't') timestamp = part;
    else if (key === 'v1') {
      // Lower-case only: Stripe writes it so, and its library compares the text.
      const given = part === part.toLowerCase() ? decodeHexMac(part, DIGEST_BYTES.sha256) : null;
      if (given) signatures.push(given);
    }
  }
  if (!timestamp || !/^\d+$/.test(timestamp) || signatures.length === 0) return rejected('malformed_signature');
  const matches = input.secrets.some((secret) => {
    const expected = hmac('sha256', secret, timestamp!, '.', input.rawBody);
    return signatures.some((given) => sameMac(expected, given));
  });
  if (!matches) return rejected('bad_signature');
  const signedAt = new Date(Number(timestamp) * 1000);
  if (!withinTolerance(signedAt, input.now, input.toleranceSeconds)) return rejected('stale_timestamp');
  return { ok: true, deliveryId: bodyId(input.rawBody), signedAt };
}

function bodyId(rawBody: Buffer): string | null {
  try {
    const id = (JSON.parse(rawBody.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}
