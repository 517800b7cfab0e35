/** The enumerations of spec §2.1 and §2.6, as their names on the wire (DESIGN.md: enums as names). */
export const INTEGRATION_TYPES = ['PaymentGateway', 'EmailService', 'SMSService', 'CalendarSync', 'CustomAPI', 'CRM', 'Analytics', 'Storage'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const INTEGRATION_STATUSES = ['Draft', 'PendingValidation', 'Active', 'Suspended', 'Disconnected', 'Error'] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];

export const HEALTH_STATUSES = ['Healthy', 'Degraded', 'Unhealthy', 'Unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const LOG_LEVELS = ['Trace', 'Debug', 'Information', 'Warning', 'Error', 'Critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * How a call to a provider ended, as far as the lifecycle cares:
 * - `authentication`: the provider refused the credentials (401/403): suspend and alert (§11.1);
 * - `configuration`: the provider refused what we asked with these settings (other 4xx): fix before activating;
 * - `unavailable`: timeout, network error, 5xx, 429, an open circuit or an answer that makes no sense: transient.
 */
export const PROBE_FAILURES = ['authentication', 'configuration', 'unavailable'] as const;
export type ProbeFailure = (typeof PROBE_FAILURES)[number];

/** The result of validating, testing or health-checking an integration against its provider. */
export interface ProbeOutcome {
  ok: boolean;
  failure?: ProbeFailure;
  /** Safe to store and show: never a secret. */
  message: string;
  responseTimeMs: number;
  /** Provider facts worth logging (account id, sandbox flag, message id), never credentials. */
  details?: Record<string, unknown>;
}

/** What a check is for: the lifecycle reacts differently to a failed activation and a failed health check. */
export type CheckPurpose = 'validation' | 'health';

/**
 * A check under way, from `Integration.startCheck` or `Integration.startHealthCheck`. It carries a digest of the
 * sealed configuration it tests: its outcome is applied only while the integration still holds that configuration
 * (BR-IM-02 for a validation; for a health check, a failure of the old credentials must not suspend an
 * integration re-activated with new ones meanwhile). A health failure seen elsewhere (a sync refused by the
 * provider) has no digest: it is about the credentials in use now.
 */
/**
 * What an outcome answers: a validation (test) or health check the integration started, naming the configuration
 * it asked about; or `observed`, a refusal of the credentials seen outside any check (a data sync's call), which
 * suspends the integration as a check would but is no health check: it counts in no statistic.
 */
export type StartedCheck = { purpose: 'validation'; configurationDigest: string } | { purpose: 'health'; configurationDigest: string } | { purpose: 'observed' };
