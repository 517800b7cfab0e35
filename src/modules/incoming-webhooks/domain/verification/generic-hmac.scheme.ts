import { GenericHmacSettings, hmac, header, rejected, sameMac, Verification, VerificationInput } from './verification';

/** A provider's own HMAC over the raw body: header, algorithm, encoding and prefix come from the configuration. */
export function verifyGenericHmac(input: VerificationInput, settings: GenericHmacSettings): Verification {
  const value = header(input.headers, settings.header);
  if (!value) return rejected('missing_signature');
  if (!value.startsWith(settings.prefix)) return rejected('malformed_signature');
  const encoded = value.slice(settings.prefix.length).trim();
  const valid = settings.encoding === 'hex' ? /^[0-9a-f]+$/i.test(encoded) : /^[A-Za-z0-9+/]+={0,2}$/.test(encoded);
  if (!valid) return rejected('malformed_signature');
  const given = Buffer.from(encoded, settings.encoding);
  if (!input.secrets.some((secret) => sameMac(hmac(settings.algorithm, secret, input.rawBody), given))) return rejected('bad_signature');
  return { ok: true, deliveryId: settings.idHeader ? (header(input.headers, settings.idHeader) ?? null) : null, signedAt: null };
}
