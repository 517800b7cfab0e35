import { randomUUID } from 'node:crypto';
import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { AggregateRoot } from '@nestjs/cqrs';
import type { SecretVault } from '../../../common/crypto/secret-vault';
import type { DomainEvent } from '../../../common/events/domain-event';
import { WebhookRepository } from '../infrastructure/webhook.repository';
import {
  WebhookCreatedEvent,
  WebhookDeletedEvent,
  WebhookDisabledEvent,
  WebhookFailureRateExceededEvent,
  WebhookSecretRotatedEvent,
  WebhookUpdatedEvent,
} from './events/webhook.events';
import { WebhookError, WebhookErrorCode } from './webhook.errors';
import { generateWebhookSecret } from './webhook-signature';

export interface WebhookSettings {
  url: string;
  description: string | null;
  eventTypes: string[];
  maxRetries: number;
  backoffMultiplier: number;
  timeoutSeconds: number;
  integrationId: string | null;
}

export type WebhookChanges = Partial<WebhookSettings> & { isActive?: boolean };

/**
 * A tenant's subscription to events (spec §2.3): where to POST, which event types, how to retry. The signing
 * secret is sealed by the SecretVault with the context `webhook:<id>`, so a sealed value cannot be moved to
 * another row; after a rotation the previous secret signs too until its grace period ends.
 */
@Entity({ tableName: 'webhook', repository: () => WebhookRepository })
export class Webhook extends AggregateRoot<DomainEvent> {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid', nullable: true })
  integrationId: string | null = null;

  @Property({ type: 'string', length: 500 })
  url: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description: string | null = null;

  @Property({ type: 'json' })
  eventTypes: string[];

  @Property({ type: 'text', hidden: true, lazy: true })
  secret: string;

  @Property({ type: 'text', nullable: true, hidden: true, lazy: true })
  previousSecret: string | null = null;

  @Property({ type: 'Date', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'Date', nullable: true })
  disabledAt: Date | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  disabledReason: string | null = null;

  @Property({ type: 'integer' })
  maxRetries: number;

  @Property({ type: 'integer' })
  backoffMultiplier: number;

  @Property({ type: 'integer' })
  timeoutSeconds: number;

  @Property({ type: 'Date', nullable: true })
  lastTriggeredAt: Date | null = null;

  @Property({ type: new BigIntType('number') })
  successCount: number = 0;

  @Property({ type: new BigIntType('number') })
  failureCount: number = 0;

  /** Since when every attempt has failed; cleared by the next success. Drives the auto-disable. */
  @Property({ type: 'Date', nullable: true })
  failingSince: Date | null = null;

  @Property({ type: 'boolean' })
  failureAlertActive: boolean = false;

  @Property({ type: 'Date' })
  createdAt: Date;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'Date', nullable: true })
  modifiedAt: Date | null = null;

  /**
   * UC-WH-01. Returns the webhook and its secret in plain text (for the verification request): the one the caller
   * chose (checked by the DTO), or a new one.
   */
  static create(
    tenantId: string,
    settings: WebhookSettings,
    createdBy: string | null,
    vault: SecretVault,
    now = new Date(),
    secret = generateWebhookSecret(),
  ): { webhook: Webhook; secret: string } {
    const webhook = new Webhook();
    webhook.id = randomUUID();
    webhook.tenantId = tenantId;
    Object.assign(webhook, settings);
    webhook.eventTypes = [...new Set(settings.eventTypes)];
    webhook.secret = vault.seal(secret, webhook.sealingContext());
    webhook.createdAt = now;
    webhook.createdBy = createdBy;
    webhook.apply(
      new WebhookCreatedEvent(tenantId, webhook.id, webhook.url, webhook.eventTypes, webhook.maxRetries, webhook.timeoutSeconds, createdBy),
    );
    return { webhook, secret };
  }

  update(changes: WebhookChanges, by: string | null, now = new Date()): void {
    const previousUrl = this.url;
    const applied: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(changes) as Array<[keyof WebhookChanges, unknown]>) {
      if (value === undefined || key === 'isActive') continue;
      (this as Record<string, unknown>)[key] = key === 'eventTypes' ? [...new Set(value as string[])] : value;
      applied[key] = (this as Record<string, unknown>)[key];
    }
    // A new URL is a new endpoint, which has just answered the verification request: the old one's failures do not
    // count towards its auto-disable. (The failure-rate alert is left as it is: its rate is of the last hour's
    // attempts, the old URL's included, and clearing it would raise the same alert again.)
    if (this.url !== previousUrl) this.failingSince = null;
    if (changes.isActive === true && !this.isActive) {
      this.isActive = true;
      this.disabledAt = null;
      this.disabledReason = null;
      // A fresh start: the auto-disable span counts from the next failure.
      this.failingSince = null;
      applied.isActive = true;
    }
    this.modifiedAt = now;
    if (changes.isActive === false && this.isActive) {
      this.disable('Disabled through the API', by, now);
      if (!Object.keys(applied).length) return;
    }
    this.apply(new WebhookUpdatedEvent(this.tenantId, this.id, applied, by));
  }

  disable(reason: string, by: string | null, now = new Date()): void {
    if (!this.isActive) return;
    this.isActive = false;
    this.disabledAt = now;
    this.disabledReason = reason;
    this.modifiedAt = now;
    this.apply(new WebhookDisabledEvent(this.tenantId, this.id, reason, this.failingSince?.toISOString() ?? null, by));
  }

  /** Disabled when every attempt has failed for `spanSeconds`; returns whether it was. */
  disableIfFailingFor(spanSeconds: number, now = new Date()): boolean {
    if (!this.isActive || !this.failingSince || now.getTime() - this.failingSince.getTime() < spanSeconds * 1000) return false;
    this.disable(`Every delivery attempt failed since ${this.failingSince.toISOString()}`, null, now);
    return true;
  }

  /** §12.3: raises WebhookFailureRateExceeded when the rate crosses the threshold, once per crossing. */
  reportFailureRate(failurePercent: number, attempts: number, thresholdPercent: number): void {
    const above = failurePercent > thresholdPercent;
    if (above && !this.failureAlertActive) {
      this.apply(new WebhookFailureRateExceededEvent(this.tenantId, this.id, Math.round(failurePercent * 10) / 10, attempts, thresholdPercent));
    }
    this.failureAlertActive = above;
  }

  /**
   * Issues a new secret; the old one keeps signing for `graceSeconds` (0 drops it now, and any earlier one with it).
   * Returns the new secret. A rotation with a grace period while an earlier one's runs is refused: one previous
   * secret is kept, so it would end the window promised for the secret before, which receivers may still hold.
   */
  rotateSecret(vault: SecretVault, graceSeconds: number, by: string | null, now = new Date()): string {
    if (graceSeconds > 0 && this.previousSecret && this.previousSecretExpiresAt && this.previousSecretExpiresAt > now) {
      const until = this.previousSecretExpiresAt.toISOString();
      throw new WebhookError(
        WebhookErrorCode.RotationInProgress,
        `The secret before the current one still signs until ${until}, as an earlier rotation promised: rotate again after that, or with gracePeriodSeconds 0 to drop every earlier secret now`,
        { previousSecretExpiresAt: until },
      );
    }
    const secret = generateWebhookSecret();
    this.previousSecret = graceSeconds > 0 ? this.secret : null;
    this.previousSecretExpiresAt = graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null;
    this.secret = vault.seal(secret, this.sealingContext());
    this.modifiedAt = now;
    this.apply(new WebhookSecretRotatedEvent(this.tenantId, this.id, this.previousSecretExpiresAt?.toISOString() ?? null, by));
    return secret;
  }

  /** The secrets that sign a request made at `now`: the current one, and the previous one during its grace. */
  signingSecrets(vault: SecretVault, now = new Date()): string[] {
    const secrets = [vault.open(this.secret, this.sealingContext())];
    if (this.previousSecret && this.previousSecretExpiresAt && this.previousSecretExpiresAt > now) {
      secrets.push(vault.open(this.previousSecret, this.sealingContext()));
    }
    return secrets;
  }

  /**
   * Key rotation: the secrets sealed under a key other than the active one are sealed under it (only their data
   * keys are re-wrapped). A previous secret whose grace period has ended signs nothing any more and is dropped
   * rather than carried over. Returns whether anything changed.
   */
  reseal(vault: SecretVault, now = new Date()): boolean {
    let changed = false;
    if (this.previousSecret && (!this.previousSecretExpiresAt || this.previousSecretExpiresAt <= now)) {
      this.previousSecret = null;
      this.previousSecretExpiresAt = null;
      changed = true;
    }
    if (vault.isStale(this.secret)) {
      this.secret = vault.rewrap(this.secret, this.sealingContext());
      changed = true;
    }
    if (this.previousSecret && vault.isStale(this.previousSecret)) {
      this.previousSecret = vault.rewrap(this.previousSecret, this.sealingContext());
      changed = true;
    }
    return changed;
  }

  markDeleted(by: string | null): void {
    this.apply(new WebhookDeletedEvent(this.tenantId, this.id, this.url, by));
  }

  sealingContext(): string {
    return `webhook:${this.id}`;
  }
}
