/**
 * The whole configuration, read once from the environment at start-up and validated (twelve-factor).
 * Every duration or limit the spec fixes is here with the spec's value as its default, so tests and
 * operators can shorten a wait without touching code. A bad value stops the process naming the variable.
 */
export interface AppConfig {
  nodeEnv: string;
  production: boolean;
  port: number;
  host: string;
  processRole: ProcessRole;
  databaseUrl: string;
  migrateOnStart: boolean;
  redisUrl: string;
  /** Prefix of every Redis key and Bull queue of this deployment (tests give each run its own). */
  redisKeyPrefix: string;
  /** The operator's key of the default tenant, with every scope (a development value outside production). */
  bootstrapApiKey: string;
  encryption: { keys: Map<string, Buffer>; activeKeyId: string };
  allowLoopbackTargets: boolean;
  logLevel: string;
  corsOrigins: string[];
  bodyLimitBytes: number;
  trustProxy: boolean;
  apiKeys: {
    maxActivePerTenant: number;
    defaultRateLimitPerHour: number;
    rotationGraceSeconds: number;
    cacheTtlMs: number;
    usageFlushMs: number;
    expiryCron: string;
  };
  audit: { retentionDays: number; cleanupCron: string };
  outbox: { pollMs: number; batchSize: number };
  integrations: IntegrationsConfig;
}

/** Integration management (spec §4.1, §6.1, §14, §17.2). */
export interface IntegrationsConfig {
  /** Kinds of which a tenant may have only one Active integration unless the tenant says otherwise (BR-IM-01). */
  singleProviderTypes: string[];
  /** Largest configuration, in bytes of its JSON (§7.1). */
  maxConfigurationBytes: number;
  /** BR-IM-03: when the health sweep runs (UTC cron; six fields allow seconds). */
  healthCheckCron: string;
  /** Provider calls one worker makes at once during a sweep. */
  healthCheckConcurrency: number;
  /** BR-IM-04: consecutive failed checks that make an integration Unhealthy and raise an alert. */
  unhealthyAfterFailures: number;
  /** A check that succeeds slower than this marks the integration Degraded. */
  degradedResponseMs: number;
  /** One attempt of a provider call; the whole call, retries included, gets twice this. */
  callTimeoutMs: number;
  callRetries: number;
  retryBaseDelayMs: number;
  /** Consecutive failed calls that open an integration's circuit, and how long it stays open. */
  breakerFailures: number;
  breakerHalfOpenAfterMs: number;
  logRetentionDays: number;
  logCleanupCron: string;
  oauth: {
    /** Where providers send the user back; must be registered with the provider's OAuth client. */
    redirectUrl: string;
    stateTtlSeconds: number;
    /** Refresh an access token this long before it expires. */
    refreshBeforeExpirySeconds: number;
    /** Consecutive failed refreshes after which the integration is Disconnected. */
    disconnectAfterRefreshFailures: number;
    /** How long one replica may hold an integration's refresh lock. */
    refreshLockMs: number;
  };
  /** Provider API roots. Configuration, so tests and sandboxes can point them elsewhere. */
  providerUrls: ProviderUrls;
}

export interface ProviderUrls {
  stripe: string;
  paypal: string;
  sendgrid: string;
  twilio: string;
  hubspot: string;
  googleCalendar: string;
  googleAuthorize: string;
  googleToken: string;
  microsoftGraph: string;
  /** Login root of the Microsoft identity platform; `/{tenant}/oauth2/v2.0/authorize|token` is appended. */
  microsoftLogin: string;
}

export type ProcessRole = 'all' | 'api' | 'worker';

export class ConfigError extends Error {}

/** Development-only fallbacks: loud, never used in production. */
const DEV_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const DEV_BOOTSTRAP_API_KEY = 'dev-bootstrap-key-for-local-use-only-0000';

export function loadConfig(env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = console.warn): AppConfig {
  const read = new EnvReader(env);
  const nodeEnv = read.string('NODE_ENV', 'development');
  const production = nodeEnv === 'production';

  let bootstrapApiKey = read.optional('BOOTSTRAP_API_KEY');
  if (bootstrapApiKey !== undefined && bootstrapApiKey.length < 32) {
    throw new ConfigError('BOOTSTRAP_API_KEY must be at least 32 characters long');
  }
  if (production && bootstrapApiKey === DEV_BOOTSTRAP_API_KEY) {
    throw new ConfigError('BOOTSTRAP_API_KEY is the published development key; choose your own (e.g. openssl rand -base64 32)');
  }
  if (bootstrapApiKey === undefined) {
    if (production) throw new ConfigError('BOOTSTRAP_API_KEY is required when NODE_ENV=production');
    bootstrapApiKey = DEV_BOOTSTRAP_API_KEY;
    warn(`BOOTSTRAP_API_KEY is not set: the DEVELOPMENT key "${DEV_BOOTSTRAP_API_KEY}" has every scope. Call the API with the header X-API-Key: ${DEV_BOOTSTRAP_API_KEY}`);
  }

  let keysSpec = read.optional('ENCRYPTION_KEYS');
  let activeKeyId = read.optional('ENCRYPTION_ACTIVE_KEY');
  if (keysSpec === undefined) {
    if (production) throw new ConfigError('ENCRYPTION_KEYS is required when NODE_ENV=production');
    warn('ENCRYPTION_KEYS is not set: using a well-known DEVELOPMENT key. Never run like this with real credentials.');
    keysSpec = `dev:${DEV_ENCRYPTION_KEY}`;
    activeKeyId ??= 'dev';
  }
  const keys = parseKeyRing(keysSpec, production);
  if (activeKeyId === undefined) {
    if (keys.size !== 1) throw new ConfigError('ENCRYPTION_ACTIVE_KEY is required when ENCRYPTION_KEYS holds several keys');
    activeKeyId = [...keys.keys()][0];
  }
  if (!keys.has(activeKeyId)) throw new ConfigError(`ENCRYPTION_ACTIVE_KEY "${activeKeyId}" is not a key id in ENCRYPTION_KEYS`);

  const role = read.string('PROCESS_ROLE', 'all');
  if (role !== 'all' && role !== 'api' && role !== 'worker') {
    throw new ConfigError('PROCESS_ROLE must be one of all, api, worker');
  }

  const port = read.int('PORT', 3000, 0, 65535);
  return {
    nodeEnv,
    production,
    port,
    host: read.string('HOST', '0.0.0.0'),
    processRole: role,
    databaseUrl: read.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/integration_hub', ['postgres:', 'postgresql:']),
    migrateOnStart: read.bool('MIGRATE_ON_START', true),
    redisUrl: read.url('REDIS_URL', 'redis://127.0.0.1:6379/0', ['redis:', 'rediss:']),
    redisKeyPrefix: read.string('REDIS_KEY_PREFIX', 'ih'),
    bootstrapApiKey,
    encryption: { keys, activeKeyId },
    allowLoopbackTargets: read.bool('ALLOW_LOOPBACK_TARGETS', !production),
    logLevel: read.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    corsOrigins: read.list('CORS_ORIGINS'),
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 1_100_000, 1024, 50_000_000),
    trustProxy: read.bool('TRUST_PROXY', false),
    apiKeys: {
      maxActivePerTenant: read.int('API_KEYS_MAX_ACTIVE_PER_TENANT', 100, 1, 100_000),
      defaultRateLimitPerHour: read.int('API_KEYS_DEFAULT_RATE_LIMIT_PER_HOUR', 1000, 1, 10_000),
      rotationGraceSeconds: read.int('API_KEYS_ROTATION_GRACE_SECONDS', 24 * 3600, 0, 30 * 24 * 3600),
      cacheTtlMs: read.int('API_KEYS_CACHE_TTL_MS', 30_000, 0, 3_600_000),
      usageFlushMs: read.int('API_KEYS_USAGE_FLUSH_MS', 5_000, 10, 600_000),
      expiryCron: read.string('API_KEYS_EXPIRY_CRON', '0 * * * *'),
    },
    audit: {
      retentionDays: read.int('AUDIT_RETENTION_DAYS', 365, 1, 36_500),
      cleanupCron: read.string('AUDIT_CLEANUP_CRON', '30 2 * * *'),
    },
    outbox: {
      pollMs: read.int('OUTBOX_POLL_MS', 200, 10, 60_000),
      batchSize: read.int('OUTBOX_BATCH_SIZE', 500, 1, 10_000),
    },
    integrations: loadIntegrationsConfig(read, port),
  };
}

const INTEGRATION_TYPE_NAMES = ['PaymentGateway', 'EmailService', 'SMSService', 'CalendarSync', 'CustomAPI', 'CRM', 'Analytics', 'Storage'];

function loadIntegrationsConfig(read: EnvReader, port: number): IntegrationsConfig {
  const singleProviderTypes = read.list('INTEGRATIONS_SINGLE_PROVIDER_TYPES', ['PaymentGateway', 'EmailService', 'SMSService']);
  const unknown = singleProviderTypes.filter((type) => !INTEGRATION_TYPE_NAMES.includes(type));
  if (unknown.length) throw new ConfigError(`INTEGRATIONS_SINGLE_PROVIDER_TYPES holds unknown types (${unknown.join(', ')}); use ${INTEGRATION_TYPE_NAMES.join(', ')}`);
  const http = ['https:', 'http:'];
  return {
    singleProviderTypes,
    maxConfigurationBytes: read.int('INTEGRATIONS_MAX_CONFIGURATION_BYTES', 10 * 1024, 256, 1024 * 1024),
    healthCheckCron: read.string('INTEGRATIONS_HEALTH_CHECK_CRON', '*/5 * * * *'),
    healthCheckConcurrency: read.int('INTEGRATIONS_HEALTH_CHECK_CONCURRENCY', 20, 1, 500),
    unhealthyAfterFailures: read.int('INTEGRATIONS_UNHEALTHY_AFTER_FAILURES', 3, 1, 100),
    degradedResponseMs: read.int('INTEGRATIONS_DEGRADED_RESPONSE_MS', 5_000, 1, 300_000),
    callTimeoutMs: read.int('INTEGRATIONS_CALL_TIMEOUT_MS', 10_000, 50, 300_000),
    callRetries: read.int('INTEGRATIONS_CALL_RETRIES', 2, 0, 10),
    retryBaseDelayMs: read.int('INTEGRATIONS_RETRY_BASE_DELAY_MS', 200, 1, 60_000),
    breakerFailures: read.int('INTEGRATIONS_BREAKER_FAILURES', 5, 1, 1000),
    breakerHalfOpenAfterMs: read.int('INTEGRATIONS_BREAKER_HALF_OPEN_AFTER_MS', 30_000, 10, 3_600_000),
    logRetentionDays: read.int('INTEGRATIONS_LOG_RETENTION_DAYS', 90, 1, 36_500),
    logCleanupCron: read.string('INTEGRATIONS_LOG_CLEANUP_CRON', '0 2 * * *'),
    oauth: {
      redirectUrl: read.url('INTEGRATIONS_OAUTH_REDIRECT_URL', `http://localhost:${port}/api/integrations/oauth/callback`, http),
      stateTtlSeconds: read.int('INTEGRATIONS_OAUTH_STATE_TTL_SECONDS', 600, 30, 86_400),
      refreshBeforeExpirySeconds: read.int('INTEGRATIONS_OAUTH_REFRESH_BEFORE_EXPIRY_SECONDS', 300, 0, 86_400),
      disconnectAfterRefreshFailures: read.int('INTEGRATIONS_OAUTH_DISCONNECT_AFTER_REFRESH_FAILURES', 3, 1, 100),
      refreshLockMs: read.int('INTEGRATIONS_OAUTH_REFRESH_LOCK_MS', 30_000, 100, 600_000),
    },
    providerUrls: {
      stripe: read.url('INTEGRATIONS_STRIPE_URL', 'https://api.stripe.com', http),
      paypal: read.url('INTEGRATIONS_PAYPAL_URL', 'https://api-m.paypal.com', http),
      sendgrid: read.url('INTEGRATIONS_SENDGRID_URL', 'https://api.sendgrid.com', http),
      twilio: read.url('INTEGRATIONS_TWILIO_URL', 'https://api.twilio.com', http),
      hubspot: read.url('INTEGRATIONS_HUBSPOT_URL', 'https://api.hubapi.com', http),
      googleCalendar: read.url('INTEGRATIONS_GOOGLE_CALENDAR_URL', 'https://www.googleapis.com/calendar/v3', http),
      googleAuthorize: read.url('INTEGRATIONS_GOOGLE_AUTHORIZE_URL', 'https://accounts.google.com/o/oauth2/v2/auth', http),
      googleToken: read.url('INTEGRATIONS_GOOGLE_TOKEN_URL', 'https://oauth2.googleapis.com/token', http),
      microsoftGraph: read.url('INTEGRATIONS_MICROSOFT_GRAPH_URL', 'https://graph.microsoft.com/v1.0', http),
      microsoftLogin: read.url('INTEGRATIONS_MICROSOFT_LOGIN_URL', 'https://login.microsoftonline.com', http),
    },
  };
}


function parseKeyRing(spec: string, production: boolean): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new ConfigError('ENCRYPTION_KEYS entries must look like id:base64key');
    const id = entry.slice(0, colon);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new ConfigError(`ENCRYPTION_KEYS key "${id}" must be 32 bytes (base64 of 32 random bytes)`);
    if (production && key.equals(Buffer.from(DEV_ENCRYPTION_KEY, 'base64'))) {
      throw new ConfigError(`ENCRYPTION_KEYS key "${id}" is the development key; generate one with: openssl rand -base64 32`);
    }
    keys.set(id, key);
  }
  if (keys.size === 0) throw new ConfigError('ENCRYPTION_KEYS holds no key');
  return keys;
}

/** Reads one variable at a time and says which one is wrong. */
class EnvReader {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  oneOf(name: string, fallback: string, allowed: string[]): string {
    const value = this.string(name, fallback);
    if (!allowed.includes(value)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}`);
    return value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    throw new ConfigError(`${name} must be true or false`);
  }

  url(name: string, fallback: string, protocols: string[]): string {
    const value = this.string(name, fallback);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(`${name} is not a valid URL`);
    }
    if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must start with ${protocols.join(' or ')}//`);
    return value;
  }

  list(name: string, fallback: string[] = []): string[] {
    const raw = this.optional(name);
    return raw === undefined ? fallback : raw.split(',').map((s) => s.trim()).filter(Boolean);
  }
}

export const APP_CONFIG = Symbol('APP_CONFIG');
