import { decodeBase64Mac, decodeHexMac, DIGEST_BYTES } from './strict-encoding';
import { GenericHmacSettings, hmac, header, rejected, sameMac, Verification, VerificationInput } from './verification';

/**
 * A provider's own HMAC over the raw body: header, algorithm, encoding and prefix come from the configuration.
 * The signature must be the digest's one spelling: exactly its length in hex (either case), or canonical padded
 * base64; anything else is malformed, so no appended character or altered unused bit makes a second valid form.
 * Neither a timestamp nor the optional `idHeader` is signed, so replays under a fresh id are caught by the body's
 * hash (receive-webhook.handler.ts).
 */
export function verifyGenericHmac(input: VerificationInput, settings: GenericHmacSettings): Verification {
  const value = header(input.headers, settings.header);
  if (!value) return rejected('missing_signature');
  if (!value.startsWith(settings.prefix)) return rejected('malformed_signature');
  const encoded = value.slice(settings.prefix.length).trim();
  const bytes = DIGEST_BYTES[settings.algorithm];
  const given = settings.encoding === 'hex' ? decodeHexMac(encoded, bytes) : decodeBase64Mac(encoded, bytes);
  if (!given) return rejected('malformed_signature');
  if (!input.secrets.some((secret) => sameMac(hmac(settings.algorithm, secret, input.rawBody), given))) return rejected('bad_signature');
  return { ok: true, deliveryId: settings.idHeader ? (header(input.headers, settings.idHeader) ?? null) : null, signedAt: null };
}
