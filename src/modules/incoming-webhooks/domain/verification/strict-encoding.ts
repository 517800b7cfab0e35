import type { GenericHmacSettings } from './verification';

/**
 * Strict decoding of a MAC as sent in a header: exactly the digest's length in one encoding (hex in either case,
 * canonical base64), or nothing.
 *
 * Node's decoders are lenient: `Buffer.from(text, 'hex')` stops at the first non-hex character and drops a
 * trailing odd nibble, and `Buffer.from(text, 'base64')` ignores missing padding, stray characters and the unused
 * low bits of the last character. Compared after such a decoding, a valid signature with `0` appended, or with
 * its last base64 character changed in bits the decoder throws away, verifies too: many texts for one MAC, which
 * is not what the providers' own libraries accept (they compare the exact text) and lets the same signed request
 * arrive in spellings nothing else recognises as the same.
 */

/** Bytes of each digest the generic HMAC scheme computes (a type error here when one is added). */
export const DIGEST_BYTES: Record<GenericHmacSettings['algorithm'], number> = { sha256: 32, sha512: 64 };

/**
 * The bytes of `text` when it is exactly `bytes` bytes in hex, or null. Either case: generic HMAC providers write
 * one or the other; a scheme whose provider writes one case only (Stripe) checks that itself.
 */
export function decodeHexMac(text: string, bytes: number): Buffer | null {
  if (text.length !== bytes * 2 || !/^[0-9a-f]*$/i.test(text)) return null;
  return Buffer.from(text, 'hex');
}

/**
 * The bytes of `text` when it is exactly `bytes` bytes in canonical base64 (standard alphabet, padded, unused
 * bits zero), or null. Re-encoding what was decoded gives the one canonical text; any other spelling differs.
 */
export function decodeBase64Mac(text: string, bytes: number): Buffer | null {
  const decoded = Buffer.from(text, 'base64');
  if (decoded.length !== bytes || decoded.toString('base64') !== text) return null;
  return decoded;
}
