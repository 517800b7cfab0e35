import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config';

/**
 * Where secrets at rest (integration credentials, webhook signing secrets, OAuth tokens) are sealed. The
 * key-ring implementation below stands in for Azure Key Vault; a KMS-backed one can replace it behind this
 * interface without touching the modules.
 */
export interface SecretVault {
  /** Seals `plaintext`; `context` (e.g. "webhook:<id>") is bound in, so a ciphertext cannot be moved to another row. */
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
  /**
   * True when `sealed` must be rewritten (by `rewrap`): its key is not the active one, or it predates the
   * envelope format.
   */
  isStale(sealed: string): boolean;
  /**
   * `sealed` under the active key, for key rotation: only the wrapped data key changes, the encrypted payload
   * stays byte for byte (so rotation never decrypts a secret); a value of the older format is sealed afresh as
   * an envelope. Returns `sealed` itself when nothing is stale.
   */
  rewrap(sealed: string, context: string): string;
}

export const SECRET_VAULT = Symbol('SECRET_VAULT');

const ENVELOPE = 'v2';
const DIRECT = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const AUTH_TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

interface Encrypted {
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

interface Envelope {
  keyId: string;
  /** The data key, encrypted with the ring key `keyId`. */
  wrap: Encrypted;
  /** The secret, encrypted with the data key. */
  payload: Encrypted;
}

/**
 * Envelope encryption with the key ring of ENCRYPTION_KEYS. Each seal draws a fresh 256-bit data key,
 * encrypts the secret with it, and wraps the data key with the ring key ENCRYPTION_ACTIVE_KEY, all AES-256-GCM
 * with a random 96-bit IV each:
 *
 *   v2:<keyId>:<wrapIv>:<wrapTag>:<wrappedDataKey>:<iv>:<tag>:<ciphertext>   (every part but the first two base64url)
 *
 * The wrap authenticates the version, the key id and the context; the payload authenticates the version and the
 * context. Rotating a key therefore re-wraps 32 bytes and leaves `<iv>:<tag>:<ciphertext>` as it was. The key id
 * travels with each value, so old keys stay readable until nothing is stale under them.
 *
 * Values of the earlier direct format, `v1:<keyId>:<iv>:<tag>:<ciphertext>` (the secret encrypted with the ring
 * key itself, the context as associated data), still open; they count as stale, so re-encryption upgrades them.
 */
export class KeyRingVault implements SecretVault {
  constructor(private readonly encryption: AppConfig['encryption']) {}

  seal(plaintext: string, context: string): string {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      const payload = encrypt(dataKey, Buffer.from(plaintext, 'utf8'), payloadAad(context));
      return format(this.wrap(dataKey, context), payload);
    } finally {
      dataKey.fill(0);
    }
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split(':');
    if (parts[0] === DIRECT) return this.openDirect(parts, context);
    const envelope = parse(parts);
    const dataKey = this.unwrap(envelope, context);
    try {
      return decrypt(dataKey, envelope.payload, payloadAad(context)).toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }

  isStale(sealed: string): boolean {
    const [version, keyId] = sealed.split(':');
    return version !== ENVELOPE || keyId !== this.encryption.activeKeyId;
  }

  rewrap(sealed: string, context: string): string {
    const parts = sealed.split(':');
    if (parts[0] === DIRECT) return this.seal(this.openDirect(parts, context), context);
    const envelope = parse(parts);
    if (envelope.keyId === this.encryption.activeKeyId) return sealed;
    // The payload is neither decrypted nor checked here: open() authenticates it, and rotation never holds a secret.
    const dataKey = this.unwrap(envelope, context);
    try {
      return format(this.wrap(dataKey, context), envelope.payload);
    } finally {
      dataKey.fill(0);
    }
  }

  private wrap(dataKey: Buffer, context: string): Pick<Envelope, 'keyId' | 'wrap'> {
    const keyId = this.encryption.activeKeyId;
    return { keyId, wrap: encrypt(this.key(keyId), dataKey, wrapAad(keyId, context)) };
  }

  private unwrap(envelope: Envelope, context: string): Buffer {
    return decrypt(this.key(envelope.keyId), envelope.wrap, wrapAad(envelope.keyId, context));
  }

  /** The earlier format, exactly as it was sealed: the ring key encrypts the secret, the context is the AAD. */
  private openDirect(parts: string[], context: string): string {
    if (parts.length !== 5) throw notSealed();
    const [, keyId, iv, tag, ciphertext] = parts;
    const key = this.key(keyId);
    return decrypt(key, { iv: decode(iv), tag: decode(tag), ciphertext: decode(ciphertext) }, Buffer.from(context)).toString('utf8');
  }

  private key(keyId: string): Buffer {
    const key = this.encryption.keys.get(keyId);
    // The message names the key id only: never key material.
    if (!key) throw new Error(`Encryption key "${keyId}" is not in ENCRYPTION_KEYS`);
    return key;
  }
}

/* Associated data as JSON arrays, so no choice of key id or context can make two different bindings alike, and
 * so a wrapped key cannot pass for a payload or the other way round. */
function wrapAad(keyId: string, context: string): Buffer {
  return Buffer.from(JSON.stringify([ENVELOPE, 'data-key', keyId, context]));
}

function payloadAad(context: string): Buffer {
  return Buffer.from(JSON.stringify([ENVELOPE, 'payload', context]));
}

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Encrypted {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: AUTH_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function decrypt(key: Buffer, { iv, tag, ciphertext }: Encrypted, aad: Buffer): Buffer {
  // The full 16-byte tag only: without authTagLength, Node takes a tag cut to as little as 4 bytes, and a
  // forger with write access to the table would need about 2^32 tries instead of 2^128.
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: AUTH_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function format({ keyId, wrap }: Pick<Envelope, 'keyId' | 'wrap'>, payload: Encrypted): string {
  const encoded = [wrap.iv, wrap.tag, wrap.ciphertext, payload.iv, payload.tag, payload.ciphertext].map((part) => part.toString('base64url'));
  return [ENVELOPE, keyId, ...encoded].join(':');
}

function parse(parts: string[]): Envelope {
  if (parts[0] !== ENVELOPE || parts.length !== 8) throw notSealed();
  const [, keyId, wrapIv, wrapTag, wrappedKey, iv, tag, ciphertext] = parts;
  const envelope = {
    keyId,
    wrap: { iv: decode(wrapIv), tag: decode(wrapTag), ciphertext: decode(wrappedKey) },
    payload: { iv: decode(iv), tag: decode(tag), ciphertext: decode(ciphertext) },
  };
  if (envelope.wrap.iv.length !== IV_BYTES || envelope.payload.iv.length !== IV_BYTES) throw notSealed();
  return envelope;
}

/** Base64url in its one canonical spelling: Buffer.from skips stray characters, which would let an edit go unnoticed. */
function decode(part: string): Buffer {
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part) throw notSealed();
  return bytes;
}

function notSealed(): Error {
  return new Error('Not a sealed secret');
}
