import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { header, rejected, Verification, VerificationInput } from './verification';

/**
 * Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`), verified by the
 * `standardwebhooks` library itself: several signatures accepted, five minutes of tolerance both ways. The
 * library's tolerance is fixed at five minutes, which is also ours by default.
 */
export function verifyStandardWebhooks(input: VerificationInput): Verification {
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signature = header(input.headers, 'webhook-signature');
  if (!id || !timestamp || !signature) return rejected('missing_signature');
  if (!/^\d+$/.test(timestamp) || !/(^|\s)v1,/.test(signature)) return rejected('malformed_signature');
  const signedAt = new Date(Number(timestamp) * 1000);
  if (Math.abs(input.now.getTime() - signedAt.getTime()) > input.toleranceSeconds * 1000) return rejected('stale_timestamp');
  const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
  for (const secret of input.secrets) {
    const webhook = webhookWith(secret);
    // Refused when an integration is configured; one stored earlier matches nothing, and the next may.
    if (!webhook) continue;
    try {
      webhook.verify(input.rawBody.toString('utf8'), headers);
      return { ok: true, deliveryId: id, signedAt };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
    }
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
