import { createHash, randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { AggregateRoot } from '@nestjs/cqrs';
import type { SecretVault } from '../../../common/crypto/secret-vault';
import type { DomainEvent } from '../../../common/events/domain-event';
import { IntegrationRepository } from '../infrastructure/integration.repository';
import { changedPaths, ConfigurationObject, fieldPaths } from './configuration';
import {
  CalendarSyncDisabledEvent,
  CalendarSyncEnabledEvent,
  EmailServiceConnectedEvent,
  IntegrationConnectedEvent,
  IntegrationCreatedEvent,
  IntegrationDisconnectedEvent,
  IntegrationFailedEvent,
  IntegrationHealthDegradedEvent,
  IntegrationHealthRecoveredEvent,
  IntegrationReviewedEvent,
  IntegrationSuspendedEvent,
  IntegrationUpdatedEvent,
  PaymentGatewayConnectedEvent,
  PaymentGatewayDisconnectedEvent,
  SmsServiceConnectedEvent,
} from './events/integration.events';
import { IntegrationError, IntegrationErrorCode } from './integration.errors';
import { HEALTH_STATUSES, HealthStatus, INTEGRATION_STATUSES, INTEGRATION_TYPES, IntegrationStatus, IntegrationType, ProbeOutcome, StartedCheck } from './integration-types';

export interface NewIntegration {
  tenantId: string;
  name: string;
  integrationType: IntegrationType;
  provider: string;
  createdBy: string | null;
}

/** OAuth tokens of a calendar integration; sealed at rest like the configuration. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | null;
  /** ISO 8601. */
  expiresAt: string;
  scope: string | null;
}

/** What the health rules need from configuration. */
export interface HealthRules {
  unhealthyAfterFailures: number;
  degradedResponseMs: number;
}

/** Weight of the newest response time in the running average (EWMA). */
const RESPONSE_TIME_WEIGHT = 0.2;
const MAX_REASON = 1000;

/**
 * A configured connection to an external system (spec §2.1), with the rules of §6.1:
 * activation only after the provider accepted the credentials (BR-IM-02); one Active integration per
 * single-provider kind (BR-IM-01, enforced with the repository's unique index on `exclusive`);
 * health from consecutive check results (BR-IM-04); an integration in Error leaves it only by review (BR-IM-05);
 * configuration and OAuth tokens sealed by the SecretVault, bound to this integration's id (BR-IM-06/07).
 */
@Entity({ tableName: 'integration', repository: () => IntegrationRepository })
export class Integration extends AggregateRoot<DomainEvent> {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'string', length: 200 })
  name: string;

  @Enum({ items: () => [...INTEGRATION_TYPES], type: 'string' })
  integrationType: IntegrationType;

  @Property({ type: 'string', length: 100 })
  provider: string;

  @Enum({ items: () => [...INTEGRATION_STATUSES], type: 'string' })
  status: IntegrationStatus = 'Draft';

  /** Why the integration is in its status (a failed validation, the suspension, the disconnection). */
  @Property({ type: 'text', nullable: true })
  statusReason: string | null = null;

  /** The configuration JSON, sealed (`v2:<keyId>:…`, envelope encryption); never leaves the service unmasked. */
  @Property({ type: 'text', fieldName: 'configuration', hidden: true, lazy: false })
  sealedConfiguration: string;

  @Property({ type: 'boolean' })
  isEnabled: boolean = true;

  /** Set on activation when the tenant allows one Active integration of this type (BR-IM-01's unique index). */
  @Property({ type: 'boolean' })
  exclusive: boolean = false;

  @Enum({ items: () => [...HEALTH_STATUSES], type: 'string' })
  healthStatus: HealthStatus = 'Unknown';

  @Property({ type: 'Date', nullable: true })
  lastHealthCheck: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  lastResponseTimeMs: number | null = null;

  @Property({ type: 'double', nullable: true })
  averageResponseTimeMs: number | null = null;

  @Property({ type: 'integer' })
  consecutiveFailures: number = 0;

  /** The refusals (4xx other than 401/403/408/425/429) at the end of that run: BR-IM-04's three put it in Error. */
  @Property({ type: 'integer' })
  consecutiveRefusals: number = 0;

  @Property({ type: 'integer' })
  healthChecks: number = 0;

  @Property({ type: 'integer' })
  failedHealthChecks: number = 0;

  @Property({ type: 'string', length: MAX_REASON, nullable: true })
  lastError: string | null = null;

  @Property({ type: 'Date', nullable: true })
  lastSyncTime: Date | null = null;

  @Property({ type: 'text', nullable: true, hidden: true })
  sealedOAuthTokens: string | null = null;

  @Property({ type: 'Date', nullable: true })
  oauthTokenExpiresAt: Date | null = null;

  @Property({ type: 'integer' })
  oauthRefreshFailures: number = 0;

  @Property({ type: 'Date' })
  createdAt: Date;

  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'Date', nullable: true })
  modifiedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  modifiedBy: string | null = null;

  @Property({ type: 'Date', nullable: true })
  disconnectedAt: Date | null = null;

  /** The API key that disconnected it; null when the system did (failed token refreshes). */
  @Property({ type: 'uuid', nullable: true })
  disconnectedBy: string | null = null;

  static create(props: NewIntegration, configuration: ConfigurationObject, vault: SecretVault, now = new Date()): Integration {
    const integration = new Integration();
    integration.id = randomUUID();
    integration.tenantId = props.tenantId;
    integration.name = props.name;
    integration.integrationType = props.integrationType;
    integration.provider = props.provider;
    integration.createdAt = now;
    integration.createdBy = props.createdBy;
    integration.sealedConfiguration = vault.seal(JSON.stringify(configuration), integration.configurationContext());
    integration.apply(
      new IntegrationCreatedEvent(integration.tenantId, integration.id, integration.name, integration.integrationType, integration.provider, fieldPaths(configuration), props.createdBy),
    );
    return integration;
  }

  configuration(vault: SecretVault): ConfigurationObject {
    return JSON.parse(vault.open(this.sealedConfiguration, this.configurationContext())) as ConfigurationObject;
  }

  oauthTokens(vault: SecretVault): OAuthTokens | null {
    return this.sealedOAuthTokens ? (JSON.parse(vault.open(this.sealedOAuthTokens, this.tokensContext())) as OAuthTokens) : null;
  }

  /**
   * A change of name, enablement or configuration. New configuration is unvalidated: an integration that was
   * Active, Suspended or PendingValidation goes back to Draft until a test validates it (BR-IM-02).
   * Returns the changed fields (names only).
   */
  update(changes: { name?: string; isEnabled?: boolean; configuration?: ConfigurationObject }, vault: SecretVault, by: string | null, now = new Date()): string[] {
    this.assertNotDisconnected();
    const changed: string[] = [];
    if (changes.name !== undefined && changes.name !== this.name) {
      this.name = changes.name;
      changed.push('name');
    }
    if (changes.isEnabled !== undefined && changes.isEnabled !== this.isEnabled) {
      this.isEnabled = changes.isEnabled;
      changed.push('isEnabled');
    }
    if (changes.configuration) {
      const configurationChanges = changedPaths(this.configuration(vault), changes.configuration);
      if (configurationChanges.length) {
        this.assertNotInError();
        this.sealedConfiguration = vault.seal(JSON.stringify(changes.configuration), this.configurationContext());
        changed.push(...configurationChanges.map((path) => `configuration.${path}`));
        if (this.status !== 'Draft') this.moveTo('Draft', 'The configuration changed; test the integration to activate it again');
      }
    }
    if (changed.length === 0) return changed;
    this.touch(by, now);
    this.apply(new IntegrationUpdatedEvent(this.tenantId, this.id, changed, this.status, by));
    return changed;
  }

  /**
   * Starts a test: Draft, Suspended and PendingValidation integrations are validated (and activated when the
   * provider agrees); an Active one is checked as the health check would. Returns the check to record the
   * outcome with; a validation names the configuration it tests.
   */
  startCheck(by: string | null, now = new Date()): StartedCheck {
    this.assertNotDisconnected();
    this.assertNotInError();
    if (this.status === 'Active') return this.startHealthCheck();
    this.moveTo('PendingValidation', null);
    this.touch(by, now);
    return { purpose: 'validation', configurationDigest: this.configurationDigest() };
  }

  /** The scheduled health check of an Active integration, naming the configuration it checks. */
  startHealthCheck(): StartedCheck {
    return { purpose: 'health', configurationDigest: this.configurationDigest() };
  }

  /**
   * False for a validation whose outcome no longer decides anything: the configuration changed or the
   * integration left PendingValidation (an update, a disconnection) while the provider was asked. Activating on
   * such an outcome would activate a configuration nobody tested (BR-IM-02). False too for a health check of a
   * configuration the integration no longer holds: its failure must not suspend the new one.
   */
  awaits(check: StartedCheck): boolean {
    if (check.purpose === 'observed') return true;
    if (check.purpose === 'health') return check.configurationDigest === this.configurationDigest();
    return this.status === 'PendingValidation' && check.configurationDigest === this.configurationDigest();
  }

  /** Applies a check's outcome (§11.1): the lifecycle for a validation, the health rules for an active integration. */
  recordCheck(check: StartedCheck, outcome: ProbeOutcome, rules: HealthRules, exclusive: boolean, by: string | null, now = new Date()): void {
    if (check.purpose === 'validation') this.recordValidation(check, outcome, exclusive, by, now);
    else if (check.purpose === 'observed') this.recordObserved(outcome, now);
    else this.recordHealth(outcome, rules, now);
  }

  /** BR-IM-05: the only way out of Error. The integration goes back to Draft; a test can then activate it. */
  review(note: string, by: string | null, now = new Date()): void {
    if (this.status !== 'Error') {
      throw new IntegrationError(IntegrationErrorCode.InvalidTransition, `Only an integration in Error needs a review; this one is ${this.status}`);
    }
    this.moveTo('Draft', `Reviewed: ${note}`);
    this.consecutiveFailures = 0;
    this.consecutiveRefusals = 0;
    this.touch(by, now);
    this.apply(new IntegrationReviewedEvent(this.tenantId, this.id, note, by));
  }

  /** DELETE: the integration stops being used, keeps its history, and cannot be reactivated. */
  disconnect(reason: string, by: string | null, now = new Date()): void {
    this.assertNotDisconnected();
    this.moveTo('Disconnected', reason);
    this.disconnectedAt = now;
    this.disconnectedBy = by;
    this.isEnabled = false;
    this.exclusive = false;
    this.healthStatus = 'Unknown';
    this.sealedOAuthTokens = null;
    this.oauthTokenExpiresAt = null;
    this.touch(by, now);
    this.apply(this.disconnectedEvent(reason, by));
  }

  /** UC-IM-03 step 1: an OAuth integration waits for the user to grant access. */
  startAuthorization(by: string | null, now = new Date()): void {
    this.assertNotDisconnected();
    this.assertNotInError();
    if (this.status !== 'Active') this.moveTo('PendingValidation', 'Waiting for the user to authorize access at the provider');
    this.disconnectedAt = null;
    this.touch(by, now);
  }

  /**
   * Tokens from the authorization-code exchange or a refresh (which may rotate the refresh token). False, and
   * nothing stored, for a Disconnected integration: its disconnection cleared its tokens, and an exchange or a
   * refresh that was under way must not bring them back. Every other status keeps the tokens it has (an update,
   * a suspension or an Error leave them for the next test), so a refresh rotating them there is stored: dropping
   * it would leave only a refresh token the provider no longer accepts.
   */
  storeOAuthTokens(tokens: OAuthTokens, vault: SecretVault): boolean {
    if (this.status === 'Disconnected') return false;
    this.sealedOAuthTokens = vault.seal(JSON.stringify(tokens), this.tokensContext());
    this.oauthTokenExpiresAt = new Date(tokens.expiresAt);
    this.oauthRefreshFailures = 0;
    return true;
  }

  /**
   * A refresh the provider refused or that could not be made. After `disconnectAfter` in a row the tokens are
   * useless: the integration is Disconnected (CalendarSyncDisabled) and must be authorized again.
   */
  recordRefreshFailure(reason: string, disconnectAfter: number, now = new Date()): void {
    this.oauthRefreshFailures++;
    this.lastError = truncate(reason);
    if (this.oauthRefreshFailures >= disconnectAfter && this.status !== 'Disconnected') {
      this.moveTo('Disconnected', `The access token could not be refreshed ${this.oauthRefreshFailures} times: ${reason}`);
      this.disconnectedAt = now;
      this.disconnectedBy = null;
      this.exclusive = false;
      this.healthStatus = 'Unhealthy';
      this.sealedOAuthTokens = null;
      this.oauthTokenExpiresAt = null;
      this.modifiedAt = now;
      this.apply(this.disconnectedEvent(this.statusReason!, null));
    }
  }

  /** True when the system (not a user) disconnected it, after failed token refreshes: authorizing again reconnects. */
  get reconnectable(): boolean {
    return this.status === 'Disconnected' && this.disconnectedAt !== null && this.disconnectedBy === null;
  }

  /**
   * Wraps again under the active key whatever was sealed under another (only the data key is re-encrypted; a value
   * from before envelope encryption is sealed anew); true when something was rewritten.
   */
  reseal(vault: SecretVault): boolean {
    let changed = false;
    if (vault.isStale(this.sealedConfiguration)) {
      this.sealedConfiguration = vault.rewrap(this.sealedConfiguration, this.configurationContext());
      changed = true;
    }
    if (this.sealedOAuthTokens && vault.isStale(this.sealedOAuthTokens)) {
      this.sealedOAuthTokens = vault.rewrap(this.sealedOAuthTokens, this.tokensContext());
      changed = true;
    }
    return changed;
  }

  /** BR-IM-05 from the outside: something went wrong that no retry fixes (e.g. the configuration cannot be opened). */
  fail(reason: string, now = new Date()): void {
    if (this.status === 'Error' || this.status === 'Disconnected') return;
    this.moveTo('Error', reason);
    this.exclusive = false;
    this.healthStatus = 'Unhealthy';
    this.lastError = truncate(reason);
    this.modifiedAt = now;
    this.apply(new IntegrationFailedEvent(this.tenantId, this.id, this.integrationType, this.provider, truncate(reason)));
  }

  private recordValidation(check: StartedCheck, outcome: ProbeOutcome, exclusive: boolean, by: string | null, now: Date): void {
    if (!this.awaits(check)) return;
    this.lastHealthCheck = now;
    this.lastResponseTimeMs = Math.round(outcome.responseTimeMs);
    if (outcome.ok) {
      this.moveTo('Active', null);
      this.exclusive = exclusive;
      this.healthStatus = 'Healthy';
      this.consecutiveFailures = 0;
      this.consecutiveRefusals = 0;
      this.lastError = null;
      this.touch(by, now);
      this.apply(this.connectedEvent(by));
      return;
    }
    this.lastError = truncate(outcome.message);
    if (outcome.failure === 'authentication') this.suspend(outcome.message);
    else this.moveTo('Draft', `Validation failed: ${outcome.message}`);
  }

  /** A refusal of the credentials seen outside a check suspends an active integration (§11.4); nothing else is recorded. */
  private recordObserved(outcome: ProbeOutcome, now: Date): void {
    if (this.status !== 'Active' || outcome.ok || outcome.failure !== 'authentication') return;
    this.lastError = truncate(outcome.message);
    this.modifiedAt = now;
    this.suspend(outcome.message);
  }

  private recordHealth(outcome: ProbeOutcome, rules: HealthRules, now: Date): void {
    if (this.status !== 'Active') return;
    this.lastHealthCheck = now;
    this.healthChecks++;
    this.lastResponseTimeMs = Math.round(outcome.responseTimeMs);
    this.averageResponseTimeMs =
      this.averageResponseTimeMs === null ? outcome.responseTimeMs : RESPONSE_TIME_WEIGHT * outcome.responseTimeMs + (1 - RESPONSE_TIME_WEIGHT) * this.averageResponseTimeMs;
    if (outcome.ok) {
      const failedBefore = this.consecutiveFailures;
      this.consecutiveFailures = 0;
      this.consecutiveRefusals = 0;
      this.healthStatus = outcome.responseTimeMs > rules.degradedResponseMs ? 'Degraded' : 'Healthy';
      if (failedBefore >= rules.unhealthyAfterFailures) this.apply(new IntegrationHealthRecoveredEvent(this.tenantId, this.id, this.provider, failedBefore));
      return;
    }
    this.failedHealthChecks++;
    this.lastError = truncate(outcome.message);
    if (outcome.failure === 'authentication') return this.suspend(outcome.message);
    this.consecutiveFailures++;
    this.consecutiveRefusals = outcome.failure === 'configuration' ? this.consecutiveRefusals + 1 : 0;
    this.healthStatus = this.consecutiveFailures >= rules.unhealthyAfterFailures ? 'Unhealthy' : 'Degraded';
    // One alert per run of failures: when the run reaches the threshold, not on every failure after it.
    if (this.consecutiveFailures === rules.unhealthyAfterFailures) {
      this.apply(new IntegrationHealthDegradedEvent(this.tenantId, this.id, this.integrationType, this.provider, this.healthStatus, this.consecutiveFailures, this.lastError));
    }
    // BR-IM-04 holds for every failure: one refused request (a 404 while the provider deploys) is not yet a
    // broken integration, and Error needs a person to review it (BR-IM-05). A run of refusals is, after the same
    // alert as any other run; outages before them do not count towards it.
    if (this.consecutiveRefusals >= rules.unhealthyAfterFailures) {
      this.fail(`The provider refused the integration's requests ${this.consecutiveRefusals} times in a row: ${outcome.message}`, now);
    }
  }

  /** §11.1: the provider refused the credentials; an admin fixes them (update) and tests again. */
  private suspend(reason: string): void {
    this.moveTo('Suspended', `The provider refused the credentials: ${reason}`);
    this.exclusive = false;
    this.healthStatus = 'Unhealthy';
    this.apply(new IntegrationSuspendedEvent(this.tenantId, this.id, this.integrationType, this.provider, truncate(reason)));
  }

  private connectedEvent(by: string | null): DomainEvent {
    switch (this.integrationType) {
      case 'PaymentGateway':
        return new PaymentGatewayConnectedEvent(this.tenantId, this.id, this.provider, by);
      case 'EmailService':
        return new EmailServiceConnectedEvent(this.tenantId, this.id, this.provider, by);
      case 'SMSService':
        return new SmsServiceConnectedEvent(this.tenantId, this.id, this.provider, by);
      case 'CalendarSync':
        return new CalendarSyncEnabledEvent(this.tenantId, this.id, this.provider, by);
      default:
        return new IntegrationConnectedEvent(this.tenantId, this.id, this.integrationType, this.provider, by);
    }
  }

  private disconnectedEvent(reason: string, by: string | null): DomainEvent {
    switch (this.integrationType) {
      case 'PaymentGateway':
        return new PaymentGatewayDisconnectedEvent(this.tenantId, this.id, this.provider, by, reason);
      case 'CalendarSync':
        return new CalendarSyncDisabledEvent(this.tenantId, this.id, this.provider, by, reason);
      default:
        return new IntegrationDisconnectedEvent(this.tenantId, this.id, this.integrationType, this.provider, by, reason);
    }
  }

  private moveTo(status: IntegrationStatus, reason: string | null): void {
    this.status = status;
    this.statusReason = reason === null ? null : truncate(reason);
    if (status !== 'Active') this.exclusive = false;
    // A Draft holds a configuration no check has passed yet (changed, reviewed after Error, or just refused): what
    // was known of the health of the one before says nothing about it.
    if (status === 'Draft') this.healthStatus = 'Unknown';
  }

  private touch(by: string | null, now: Date): void {
    this.modifiedAt = now;
    this.modifiedBy = by;
  }

  private assertNotDisconnected(): void {
    if (this.status === 'Disconnected' && !this.reconnectable) {
      throw new IntegrationError(IntegrationErrorCode.Disconnected, 'The integration was disconnected and cannot be used again; create a new one');
    }
  }

  private assertNotInError(): void {
    if (this.status === 'Error') {
      throw new IntegrationError(IntegrationErrorCode.NeedsReview, 'The integration is in Error and must be reviewed first (POST /api/integrations/{id}/review)');
    }
  }

  /**
   * Names the sealed configuration: every change seals it afresh (a new nonce), so even a change back to earlier
   * values gets a new digest. A re-encryption does too; a test running meanwhile is then not applied, and the
   * next test decides.
   */
  private configurationDigest(): string {
    return createHash('sha256').update(this.sealedConfiguration).digest('base64url');
  }

  private configurationContext(): string {
    return `integration:${this.id}`;
  }

  private tokensContext(): string {
    return `integration:${this.id}:oauth`;
  }
}

function truncate(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}
