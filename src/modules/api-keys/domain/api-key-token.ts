import { hash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { API_KEY_PREFIX, KEY_PREFIX_LENGTH } from '../../../common/auth/api-key-format';

/**
 * The API key string: `ihk_` + 40 random base62 characters (238 bits from the CSPRNG) + 6 base62 characters
 * of CRC-32 over the random part. The prefix lets secret scanners spot a leaked key; the checksum lets us
 * refuse a mistyped or made-up key without touching the database (as GitHub's tokens do).
 */
const RANDOM_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const API_KEY_LENGTH = API_KEY_PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH;

export function generateApiKeyToken(): string {
  let random = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) random += BASE62[randomInt(62)];
  return API_KEY_PREFIX + random + checksumOf(random);
}

function checksumOf(random: string): string {
  let value = crc32(random);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/**
 * True only for a string in our format with a correct checksum: a typo, a truncation or anything not in our
 * format is refused without a look-up. The operator's BOOTSTRAP_API_KEY, whose format is the operator's, is
 * recognised by the verifier before this check.
 */
export function passesChecksum(token: string): boolean {
  if (!token.startsWith(API_KEY_PREFIX)) return false;
  if (token.length !== API_KEY_LENGTH) return false;
  const random = token.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + RANDOM_LENGTH);
  return checksumOf(random) === token.slice(-CHECKSUM_LENGTH);
}

/**
 * SHA-256, hex: what we store and look keys up by (spec §8.2). The keys are random, so no salt is needed.
 * Every authenticated request hashes its key: the one-shot crypto.hash() takes about half the time of
 * createHash().update().digest(), which builds a Hash object each time.
 */
export function hashApiKey(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The spec's KeyPrefix: the first 8 characters, enough to tell keys apart in a list. */
export function keyPrefixOf(token: string): string {
  return token.slice(0, KEY_PREFIX_LENGTH);
}
