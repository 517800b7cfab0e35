import { createHmac, timingSafeEqual } from 'node:crypto';

/** The schemes a provider can sign its callbacks with. */
export const SIGNATURE_SCHEMES = ['stripe', 'github', 'standard-webhooks', 'hmac'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export type RejectionReason = 'missing_signature' | 'malformed_signature' | 'bad_signature' | 'stale_timestamp';

/** What the request says about itself once its signature holds. */
export interface Verified {
  ok: true;
  /** The provider's id for this delivery or event, when it sends one: the deduplication key. */
  deliveryId: string | null;
  /** The signed timestamp, when the scheme has one. */
  signedAt: Date | null;
}

export interface Rejected {
  ok: false;
  reason: RejectionReason;
}

export type Verification = Verified | Rejected;

export interface GenericHmacSettings {
  /** Header carrying the signature, e.g. `X-Signature`. */
  header: string;
  algorithm: 'sha256' | 'sha512';
  encoding: 'hex' | 'base64';
  /** Text before the signature in the header, e.g. `sha256=`. */
  prefix: string;
  /** Optional header with the provider's delivery id, used for deduplication. */
  idHeader: string | null;
}

export interface VerificationInput {
  rawBody: Buffer;
  /** Lower-cased header names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** Every secret valid now: more than one while the provider rotates. */
  secrets: string[];
  toleranceSeconds: number;
  now: Date;
}

export const rejected = (reason: RejectionReason): Rejected => ({ ok: false, reason });

export function header(headers: VerificationInput['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function hmac(algorithm: 'sha256' | 'sha512', key: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time comparison of a computed MAC with the one sent (any length, any garbage). */
export function sameMac(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function withinTolerance(signedAt: Date, now: Date, toleranceSeconds: number): boolean {
  return Math.abs(now.getTime() - signedAt.getTime()) <= toleranceSeconds * 1000;
}
