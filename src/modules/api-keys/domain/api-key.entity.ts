import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { AggregateRoot } from '@nestjs/cqrs';
import type { DomainEvent } from '../../../common/events/domain-event';
import { ApiKeyError, ApiKeyErrorCode } from './api-key.errors';
import { ApiKeyRepository } from '../infrastructure/api-key.repository';
import { generateApiKeyToken, hashApiKey, keyPrefixOf } from './api-key-token';
import { ApiKeyGeneratedEvent, ApiKeyRevokedEvent, ApiKeyRotatedEvent, ApiKeyUpdatedEvent } from './events/api-key.events';

export type ApiKeyStatus = 'Active' | 'Expired' | 'Revoked';
export const API_KEY_STATUSES: readonly ApiKeyStatus[] = ['Active', 'Expired', 'Revoked'];

export interface NewApiKey {
  tenantId: string;
  keyName: string;
  scopes: string[];
  expiresAt: Date | null;
  rateLimitPerHour: number;
  createdBy: string | null;
}

/**
 * An API key of a tenant (spec §2.2). Holds the rules of §6.2: keys are random and shown once (BR-AK-01/02),
 * scopes only narrow (BR-AK-06), a revoked key stays revoked (BR-AK-07).
 */
@Entity({ tableName: 'api_key', repository: () => ApiKeyRepository })
export class ApiKey extends AggregateRoot<DomainEvent> {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'string', length: 100 })
  keyName: string;

  @Property({ type: 'string', length: 64, hidden: true })
  keyHash: string;

  @Property({ type: 'string', length: 8 })
  keyPrefix: string;

  @Property({ type: 'json' })
  scopes: string[];

  @Property({ type: 'Date', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'Date', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: new BigIntType('number') })
  usageCount: number = 0;

  @Property({ type: 'integer' })
  rateLimitPerHour: number;

  @Property({ type: 'Date' })
  createdAt: Date;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'Date', nullable: true })
  modifiedAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  revokedBy: string | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  revocationReason: string | null = null;

  /** Set when the key was rotated: the key that replaces it. */
  @Property({ type: 'uuid', nullable: true })
  rotatedToId: string | null = null;

  /** The key made from BOOTSTRAP_API_KEY: managed by the environment, not through the API. */
  @Property({ type: 'boolean' })
  isBootstrap: boolean = false;

  /** Creates a key and returns it with its secret, which exists only in this return value. */
  static generate(props: NewApiKey, now = new Date()): { apiKey: ApiKey; token: string } {
    if (props.expiresAt && props.expiresAt.getTime() <= now.getTime()) {
      throw new ApiKeyError(ApiKeyErrorCode.ExpiryInPast, 'expiresAt must be in the future', { errors: [{ field: 'expiresAt', messages: ['must be in the future'] }] });
    }
    const token = generateApiKeyToken();
    return { apiKey: ApiKey.fromToken(token, props, now), token };
  }

  /** A key whose secret the operator chose (BOOTSTRAP_API_KEY). */
  static fromToken(token: string, props: NewApiKey, now = new Date(), isBootstrap = false): ApiKey {
    const key = new ApiKey();
    key.id = randomUUID();
    key.tenantId = props.tenantId;
    key.keyName = props.keyName;
    key.keyHash = hashApiKey(token);
    key.keyPrefix = isBootstrap ? '' : keyPrefixOf(token);
    key.scopes = [...new Set(props.scopes)].sort();
    key.expiresAt = props.expiresAt;
    key.rateLimitPerHour = props.rateLimitPerHour;
    key.createdAt = now;
    key.createdBy = props.createdBy;
    key.isBootstrap = isBootstrap;
    key.apply(
      new ApiKeyGeneratedEvent(key.tenantId, key.id, key.keyName, key.keyPrefix, key.scopes, key.expiresAt?.toISOString() ?? null, key.rateLimitPerHour, key.createdBy),
    );
    return key;
  }

  status(now = new Date()): ApiKeyStatus {
    if (!this.isActive) return 'Revoked';
    if (this.expiresAt && this.expiresAt.getTime() <= now.getTime()) return 'Expired';
    return 'Active';
  }

  update(changes: { keyName?: string; scopes?: string[]; rateLimitPerHour?: number }, by: string | null, now = new Date()): void {
    this.assertChangeable();
    const applied: { keyName?: string; scopes?: string[]; rateLimitPerHour?: number } = {};
    if (changes.scopes) {
      const added = changes.scopes.filter((s) => !this.scopes.includes(s));
      if (added.length) {
        throw new ApiKeyError(ApiKeyErrorCode.ScopesExpanded, `A key's scopes can only be narrowed; not held: ${added.join(', ')}`, { scopes: added });
      }
      this.scopes = [...new Set(changes.scopes)].sort();
      applied.scopes = this.scopes;
    }
    if (changes.keyName !== undefined) this.keyName = applied.keyName = changes.keyName;
    if (changes.rateLimitPerHour !== undefined) this.rateLimitPerHour = applied.rateLimitPerHour = changes.rateLimitPerHour;
    this.modifiedAt = now;
    this.apply(new ApiKeyUpdatedEvent(this.tenantId, this.id, applied, by));
  }

  /**
   * UC-AK-03: a new key with the same name, scopes, limit and expiry; this one keeps working for the grace
   * period and is then revoked by the expiry job (0 revokes it now). The grace period never lengthens a key's
   * life: a key that expires sooner keeps its own expiry, and one already expired (the hourly job has not
   * revoked it yet) cannot be rotated, as its replacement would inherit an expiry in the past.
   */
  rotate(graceSeconds: number, by: string | null, now = new Date()): { apiKey: ApiKey; token: string } {
    this.assertChangeable();
    if (this.rotatedToId) {
      throw new ApiKeyError(ApiKeyErrorCode.AlreadyRotated, 'This key was already rotated; rotate its replacement instead', { rotatedToId: this.rotatedToId });
    }
    if (this.expiresAt && this.expiresAt <= now) {
      throw new ApiKeyError(ApiKeyErrorCode.Expired, 'The API key has expired and cannot be rotated; generate a new key instead', { expiresAt: this.expiresAt.toISOString() });
    }
    const next = ApiKey.generate(
      { tenantId: this.tenantId, keyName: this.keyName, scopes: this.scopes, expiresAt: this.expiresAt, rateLimitPerHour: this.rateLimitPerHour, createdBy: by },
      now,
    );
    this.rotatedToId = next.apiKey.id;
    this.modifiedAt = now;
    const graceEnds = new Date(now.getTime() + graceSeconds * 1000);
    if (!this.expiresAt || graceEnds < this.expiresAt) this.expiresAt = graceEnds;
    this.apply(new ApiKeyRotatedEvent(this.tenantId, this.id, next.apiKey.id, this.expiresAt.toISOString(), by));
    if (graceSeconds === 0) this.revoke(by, 'Rotated', now);
    return next;
  }

  revoke(by: string | null, reason: string, now = new Date()): void {
    if (!this.isActive) throw new ApiKeyError(ApiKeyErrorCode.Revoked, 'The API key is already revoked; revoked keys cannot be reactivated');
    this.isActive = false;
    this.revokedAt = now;
    this.revokedBy = by;
    this.revocationReason = reason;
    this.apply(new ApiKeyRevokedEvent(this.tenantId, this.id, this.keyName, by, now.toISOString(), reason));
  }

  /**
   * The bootstrap key carries every scope there is, those added since it was made included; true when its
   * scopes changed. The one way a key's scopes widen: the environment, not a caller, decides them (BR-AK-06).
   */
  grantEveryScope(scopes: readonly string[], now = new Date()): boolean {
    if (!this.isBootstrap) throw new Error('Only the bootstrap key is granted every scope');
    const every = [...new Set(scopes)].sort();
    if (every.join() === this.scopes.join()) return false;
    this.scopes = every;
    this.modifiedAt = now;
    this.apply(new ApiKeyUpdatedEvent(this.tenantId, this.id, { scopes: every }, null));
    return true;
  }

  private assertChangeable(): void {
    if (!this.isActive) throw new ApiKeyError(ApiKeyErrorCode.Revoked, 'The API key is revoked; revoked keys cannot be changed');
    if (this.isBootstrap) {
      throw new ApiKeyError(ApiKeyErrorCode.BootstrapKeyImmutable, 'The bootstrap key is managed by BOOTSTRAP_API_KEY; change the environment instead');
    }
  }
}
