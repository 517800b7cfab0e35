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
  /** True when `sealed` was made with a key other than the active one (the re-encryption job rewrites it). */
  isStale(sealed: string): boolean;
}

export const SECRET_VAULT = Symbol('SECRET_VAULT');

const VERSION = 'v1';
const AUTH_TAG_BYTES = 16;

/**
 * Envelope format `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url), AES-256-GCM with the key ring of
 * ENCRYPTION_KEYS. The key id travels with each ciphertext, so old keys stay readable while
 * ENCRYPTION_ACTIVE_KEY seals everything new; retire a key once nothing is stale under it.
 */
export class KeyRingVault implements SecretVault {
  constructor(private readonly encryption: AppConfig['encryption']) {}

  seal(plaintext: string, context: string): string {
    const keyId = this.encryption.activeKeyId;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(keyId), iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
  }

  open(sealed: string, context: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split(':');
    if (version !== VERSION || !ciphertext) throw new Error('Not a sealed secret');
    // The full 16-byte tag only: without authTagLength, Node takes a tag cut to as little as 4 bytes, and a
    // forger with write access to the table would need about 2^32 tries instead of 2^128.
    const decipher = createDecipheriv('aes-256-gcm', this.key(keyId), Buffer.from(iv, 'base64url'), { authTagLength: AUTH_TAG_BYTES });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  isStale(sealed: string): boolean {
    return sealed.split(':')[1] !== this.encryption.activeKeyId;
  }

  private key(keyId: string): Buffer {
    const key = this.encryption.keys.get(keyId);
    // The message names the key id only: never key material.
    if (!key) throw new Error(`Encryption key "${keyId}" is not in ENCRYPTION_KEYS`);
    return key;
  }
}
