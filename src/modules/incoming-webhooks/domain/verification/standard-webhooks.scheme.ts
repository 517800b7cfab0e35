import { Webhook } from 'standardwebhooks';
import { header, rejected, sameMac, Verification, VerificationInput, withinTolerance } from './verification';

/**
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`, any one matching).
 * The `standardwebhooks` library computes the expected signature (its key format and HMAC are the reference),
 * but the comparison and the timestamp check are ours: the library's verify() enforces its own fixed five-minute
 * window, while toleranceSeconds may be up to an hour. Honouring it was chosen over refusing one above 300 s for
 * this scheme: INCOMING_WEBHOOKS_TOLERANCE_SECONDS (1–3600) is every scheme's default, so a deployment with a
 * larger one would have found all its Standard Webhooks integrations refused.
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
  for (const secret of input.secrets) {
    const webhook = webhookWith(secret);
    // Refused when an integration is configured; one stored earlier matches nothing, and the next may.
    if (!webhook) continue;
    const expected = Buffer.from(webhook.sign(id, signedAt, input.rawBody).slice('v1,'.length));
    if (given.some((candidate) => sameMac(expected, candidate))) return { ok: true, deliveryId: id, signedAt };
  }
  return rejected('bad_signature');
}

/** Whether the library can sign with this secret: `whsec_` (optional) and the base64 of at least one byte. */
export function isStandardWebhooksSecret(secret: string): boolean {
  return webhookWith(secret) !== null;
}

function webhookWith(secret: string): Webhook | null {
  try {
    return new Webhook(secret);
  } catch {
    // A plain Error (not base64, or empty), which says nothing of the secret worth keeping.
    return null;
  }
}
