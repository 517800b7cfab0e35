import { hmac, header, rejected, sameMac, Verification, VerificationInput } from './verification';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`; the delivery id is
 * `X-GitHub-Delivery` (the same on GitHub's redeliveries, so it deduplicates them). GitHub signs no timestamp and
 * not that header either, so replays under a fresh id are caught by the body's hash (receive-webhook.handler.ts).
 */
export function verifyGitHub(input: VerificationInput): Verification {
  const value = header(input.headers, 'x-hub-signature-256');
  if (!value) return rejected('missing_signature');
  const match = /^sha256=([0-9a-f]{64})$/i.exec(value.trim());
  if (!match) return rejected('malformed_signature');
  const given = Buffer.from(match[1], 'hex');
  if (!input.secrets.some((secret) => sameMac(hmac('sha256', secret, input.rawBody), given))) return rejected('bad_signature');
  return { ok: true, deliveryId: header(input.headers, 'x-github-delivery') ?? null, signedAt: null };
}
