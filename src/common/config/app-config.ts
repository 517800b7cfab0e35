import { parseExpression } from 'cron-parser';
import ipaddr from 'ipaddr.js';
import { isAllowedRedirectUrl } from '../outbound/address-policy';

/**
 * The whole configuration, read once from the environment at start-up and validated (twelve-factor).
 * Every duration or limit the spec fixes is here with the spec's value as its default, so tests and
 * operators can shorten a wait without touching code. A bad value stops the process naming the variable.
 */
export interface AppConfig {
  nodeEnv: string;
  production: boolean;
  port: number;
  /** Interface of every listener: the API's, or a worker's metrics listener. */
  host: string;
  processRole: ProcessRole;
  /**
   * Port of a worker's own /metrics and /health/live listener (role `worker` only; role `all` serves them on
   * PORT). 0 takes a free port; null (WORKER_METRICS_PORT=off) serves nothing.
   */
  workerMetricsPort: number | null;
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
  /** Whose X-Forwarded-For to believe: nobody's (false), or the proxies at these addresses and ranges. */
  trustProxy: false | string[];
  apiKeys: {
    maxActivePerTenant: number;
    defaultRateLimitPerHour: number;
    rotationGraceSeconds: number;
    cacheTtlMs: number;
    /** Verified keys each replica keeps in memory (unknown ones are kept apart, in a smaller cache). */
    cacheMaxEntries: number;
    usageFlushMs: number;
    expiryCron: string;
  };
  audit: { retentionDays: number; cleanupCron: string };
  /** Rolling baselines over key usage, webhook failure rates and sync volumes (DESIGN.md: in place of Azure AI). */
  anomalies: {
    /** When the sweep observes every subject and compares it with its baseline (UTC cron), once across workers. */
    detectionCron: string;
    /** The EWMA's span in observations: weight 2/(N+1) for the newest. */
    baselineSamples: number;
    /** Observations a baseline needs before it may call anything unusual. */
    minSamples: number;
    /** How many spreads from the baseline an observation must lie to be an anomaly. */
    zThreshold: number;
    retentionDays: number;
  };
  outbox: {
    pollMs: number;
    batchSize: number;
    eventsPerJob: number;
    /**
     * Whether the relay runs, in its own transaction, the reactions that can take a batch there (the webhook
     * fan-out), for events that have no other: no Bull job, no second pass over the rows.
     */
    reactInRelay: boolean;
    /** A relayed event not processed this long after it was relayed, whose job Redis no longer holds, is relayed again. */
    recoverAfterMs: number;
    /** When the recovery looks for such events (UTC cron; six fields allow seconds), once per schedule across workers. */
    recoverCron: string;
  };
  integrations: IntegrationsConfig;
  webhooks: WebhooksConfig;
  incomingWebhooks: {
    /** Signed timestamps older or newer than this are refused (replays). */
    toleranceSeconds: number;
    maxBodyBytes: number;
    /** How long verified settings of an integration are reused before its configuration is read again. */
    settingsCacheMs: number;
    retentionDays: number;
    cleanupCron: string;
  };
  dataSync: DataSyncConfig;
}

/** Data sync jobs (spec §6.4, §9.2, §11.4, §14, §17.2; issue #5). */
export interface DataSyncConfig {
  /** BR-DS-03: records written (and checkpointed) per transaction; at most 10,000. */
  batchSize: number;
  /** Records asked of a source per page unless its resource says otherwise. */
  defaultPageSize: number;
  /** §9.2: jobs running at once across every worker, shared fairly between tenants. */
  maxRunningJobs: number;
  /** Jobs one worker runs at once. */
  workerConcurrency: number;
  /** BR-DS-05: a run stops after this long and the job resumes from its last checkpoint. */
  runTimeoutSeconds: number;
  /** Runs (the first and its resumptions after timeouts) before a job fails. */
  maxRuns: number;
  /** How long a worker's claim on a running job lasts without renewal; a crashed worker's job is taken over after it. */
  leaseMs: number;
  /** BR-DS-01 and BR-DS-02: least time between two Full, and two Incremental, syncs of one integration. */
  fullMinIntervalSeconds: number;
  incrementalMinIntervalSeconds: number;
  /** §7.4: scheduledAt may be at most this many days in the past. */
  maxScheduledPastDays: number;
  /** UC-DS-01 step 2: creating a job checks the integration's credentials with its provider. */
  validateCredentialsOnCreate: boolean;
  /** A source record larger than this (bytes of JSON) is logged as failed and skipped. */
  maxRecordBytes: number;
  /** The largest page a source may answer. */
  maxPageBytes: number;
  /** One call to a source; transient failures are retried `callRetries` times, waiting `retryBaseDelayMs` doubling, or the source's Retry-After up to `maxRetryAfterSeconds`. */
  callTimeoutMs: number;
  callRetries: number;
  retryBaseDelayMs: number;
  maxRetryAfterSeconds: number;
  /** §14.1: when due jobs are started and stalled ones taken over (UTC cron; six fields allow seconds). */
  schedulerCron: string;
  /** §17.2: sync logs are kept this many days, cleaned daily. */
  logRetentionDays: number;
  logCleanupCron: string;
  /** How often a progress stream re-reads its job, in case a published update was missed. */
  streamPollMs: number;
}

/** Outgoing webhooks and the events API (spec §6.3, §9.2, §11.3, §12.3, §14, §17.2; issue #6). */
export interface WebhooksConfig {
  /** BR-WH-07; a tenant's own `max_webhooks` overrides it. */
  maxPerTenant: number;
  /** BR-WH-04: the first retry waits this long, each next one `backoffMultiplier` times longer. */
  retryBaseDelayMs: number;
  /** BR-WH-05: a delivery not delivered this long after it was scheduled is Expired. */
  deliveryExpirySeconds: number;
  /** BR-WH-08: the largest webhook body, in bytes. */
  maxPayloadBytes: number;
  /** §9.2: deliveries one worker has in flight at once. */
  inFlightPerWorker: number;
  /** Requests one worker has in flight to one webhook, so a slow receiver cannot take every slot. */
  concurrencyPerWebhook: number;
  /** First attempts of a fan-out carried by one Bull job: one queue round trip for many deliveries. */
  deliveriesPerJob: number;
  /** A due delivery with no queued job for this long (Redis flushed, failover) is queued again from PostgreSQL. */
  requeueAfterMs: number;
  /** A webhook whose every attempt failed for this long is disabled. */
  autoDisableAfterSeconds: number;
  /** §12.3: alert when more than this share (percent) of a webhook's attempts in the last hour failed. */
  failureRateAlertPercent: number;
  /** The health check goes through all its candidates this many webhooks (one transaction) at a time. */
  healthCheckPageSize: number;
  /** After a secret rotation, deliveries are signed with both secrets this long. */
  secretRotationGraceSeconds: number;
  /** UC-WH-01 step 6: creating a webhook sends it a signed verification request that must answer 2xx. */
  verifyOnCreate: boolean;
  /** §17.2: deliveries (with their attempts) are kept this many days. */
  retentionDays: number;
  /** Repeatable jobs (UTC; six fields allow seconds): the sweep (lost jobs, auto-disable, failure rates) and the clean-up. */
  sweepCron: string;
  cleanupCron: string;
  /** How long delivery outcomes gather before one batched write (single-row commits cap throughput). */
  statusFlushMs: number;
  /** POST /api/events: the same idempotencyKey within this window returns the first result. */
  idempotencyWindowSeconds: number;
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

/**
 * A production secret with fewer different characters than this was typed, not generated: `openssl rand -hex 32`
 * gives 16 (all the hex digits, short of a one-in-a-billion draw), base64 about 30; `aaaa…` or a repeated word far fewer.
 */
const MIN_DISTINCT_KEY_CHARACTERS = 10;
/** 32 random bytes hold about 30 different values; fewer than this is a pattern, not a key. */
const MIN_DISTINCT_KEY_BYTES = 16;

/**
 * Loopback targets let a tenant's webhook or custom API reach services on the host itself (SSRF), which is what
 * development and tests want and nothing else does: allowed by default outside production, and said so at start.
 */
function allowsLoopback(allowed: boolean, nodeEnv: string, warn: (msg: string) => void): boolean {
  if (allowed && nodeEnv !== 'test') {
    warn('ALLOW_LOOPBACK_TARGETS is on: webhooks, custom APIs and connectors may call 127.0.0.1 and ::1 on this host. Set ALLOW_LOOPBACK_TARGETS=false (the production default) on any shared or deployed instance.');
  }
  return allowed;
}

/** Development-only fallbacks: loud, never used in production. */
const DEV_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const DEV_BOOTSTRAP_API_KEY = 'dev-bootstrap-key-for-local-use-only-0000';

export function loadConfig(env: NodeJS.ProcessEnv = process.env, warn: (msg: string) => void = console.warn): AppConfig {
  const read = new EnvReader(env);
  // Only `production` turns the safeguards on, so a mistyped `prod` must stop the start rather than quietly run without them.
  const nodeEnv = read.oneOf('NODE_ENV', 'development', ['development', 'test', 'production']);
  const production = nodeEnv === 'production';

  let bootstrapApiKey = read.optional('BOOTSTRAP_API_KEY');
  if (bootstrapApiKey !== undefined && bootstrapApiKey.length < 32) {
    throw new ConfigError('BOOTSTRAP_API_KEY must be at least 32 characters long');
  }
  if (production && bootstrapApiKey === DEV_BOOTSTRAP_API_KEY) {
    throw new ConfigError('BOOTSTRAP_API_KEY is the published development key; choose your own (e.g. openssl rand -base64 32)');
  }
  if (production && bootstrapApiKey !== undefined && new Set(bootstrapApiKey).size < MIN_DISTINCT_KEY_CHARACTERS) {
    throw new ConfigError(`BOOTSTRAP_API_KEY looks weak (fewer than ${MIN_DISTINCT_KEY_CHARACTERS} different characters); generate one with: openssl rand -base64 32`);
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
  const bodyLimitBytes = read.int('BODY_LIMIT_BYTES', 1_100_000, 1024, 50_000_000);
  return {
    nodeEnv,
    production,
    port,
    host: parseHost(read.string('HOST', '0.0.0.0')),
    processRole: role,
    workerMetricsPort: read.intOrOff('WORKER_METRICS_PORT', 9464, 0, 65535),
    databaseUrl: read.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/integration_hub', ['postgres:', 'postgresql:']),
    migrateOnStart: read.bool('MIGRATE_ON_START', true),
    redisUrl: read.redisUrl('REDIS_URL', 'redis://127.0.0.1:6379/0'),
    redisKeyPrefix: read.string('REDIS_KEY_PREFIX', 'ih'),
    bootstrapApiKey,
    encryption: { keys, activeKeyId },
    allowLoopbackTargets: allowsLoopback(read.bool('ALLOW_LOOPBACK_TARGETS', !production), nodeEnv, warn),
    logLevel: read.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    corsOrigins: parseCorsOrigins(read.list('CORS_ORIGINS')),
    bodyLimitBytes,
    trustProxy: parseTrustProxy(read.optional('TRUST_PROXY')),
    apiKeys: {
      maxActivePerTenant: read.int('API_KEYS_MAX_ACTIVE_PER_TENANT', 100, 1, 100_000),
      defaultRateLimitPerHour: read.int('API_KEYS_DEFAULT_RATE_LIMIT_PER_HOUR', 1000, 1, 10_000),
      rotationGraceSeconds: read.int('API_KEYS_ROTATION_GRACE_SECONDS', 24 * 3600, 0, 30 * 24 * 3600),
      cacheTtlMs: read.int('API_KEYS_CACHE_TTL_MS', 30_000, 0, 3_600_000),
      cacheMaxEntries: read.int('API_KEYS_CACHE_MAX_ENTRIES', 100_000, 1, 10_000_000),
      usageFlushMs: read.int('API_KEYS_USAGE_FLUSH_MS', 5_000, 10, 600_000),
      expiryCron: read.cron('API_KEYS_EXPIRY_CRON', '0 * * * *'),
    },
    audit: {
      // §17.2 keeps audit entries a year: less is refused, not honoured.
      retentionDays: read.int('AUDIT_RETENTION_DAYS', 365, 365, 36_500),
      cleanupCron: read.cron('AUDIT_CLEANUP_CRON', '30 2 * * *'),
    },
    anomalies: {
      detectionCron: read.cron('ANOMALY_DETECTION_CRON', '10 * * * *'),
      baselineSamples: read.int('ANOMALY_BASELINE_SAMPLES', 24, 2, 10_000),
      minSamples: read.int('ANOMALY_MIN_SAMPLES', 12, 2, 10_000),
      zThreshold: read.int('ANOMALY_Z_THRESHOLD', 4, 2, 100),
      retentionDays: read.int('ANOMALY_RETENTION_DAYS', 365, 1, 36_500),
    },
    outbox: {
      pollMs: read.int('OUTBOX_POLL_MS', 200, 10, 60_000),
      batchSize: read.int('OUTBOX_BATCH_SIZE', 500, 1, 10_000),
      eventsPerJob: read.int('OUTBOX_EVENTS_PER_JOB', 50, 1, 1000),
      reactInRelay: read.bool('OUTBOX_REACT_IN_RELAY', true),
      recoverAfterMs: read.int('OUTBOX_RECOVER_AFTER_MS', 300_000, 0, 24 * 3_600_000),
      recoverCron: read.cron('OUTBOX_RECOVER_CRON', '* * * * *'),
    },
    integrations: loadIntegrationsConfig(read, port),
    webhooks: loadWebhooksConfig(read, bodyLimitBytes),
    incomingWebhooks: {
      toleranceSeconds: read.int('INCOMING_WEBHOOKS_TOLERANCE_SECONDS', 300, 1, 3600),
      maxBodyBytes: incomingMaxBodyBytes(read, bodyLimitBytes),
      settingsCacheMs: read.int('INCOMING_WEBHOOKS_SETTINGS_CACHE_MS', 5000, 0, 600_000),
      retentionDays: read.int('INCOMING_WEBHOOKS_RETENTION_DAYS', 30, 3, 3650),
      cleanupCron: read.cron('INCOMING_WEBHOOKS_CLEANUP_CRON', '15 3 * * *'),
    },
    dataSync: loadDataSyncConfig(read),
  };
}

function loadDataSyncConfig(read: EnvReader): DataSyncConfig {
  return {
    batchSize: read.int('DATA_SYNC_BATCH_SIZE', 10_000, 1, 10_000),
    defaultPageSize: read.int('DATA_SYNC_DEFAULT_PAGE_SIZE', 1000, 1, 10_000),
    maxRunningJobs: read.int('DATA_SYNC_MAX_RUNNING_JOBS', 50, 1, 10_000),
    workerConcurrency: read.int('DATA_SYNC_WORKER_CONCURRENCY', 10, 1, 1000),
    runTimeoutSeconds: read.int('DATA_SYNC_RUN_TIMEOUT_SECONDS', 3600, 1, 24 * 3600),
    maxRuns: read.int('DATA_SYNC_MAX_RUNS', 5, 1, 1000),
    leaseMs: read.int('DATA_SYNC_LEASE_MS', 60_000, 500, 3_600_000),
    fullMinIntervalSeconds: read.int('DATA_SYNC_FULL_MIN_INTERVAL_SECONDS', 24 * 3600, 0, 30 * 24 * 3600),
    incrementalMinIntervalSeconds: read.int('DATA_SYNC_INCREMENTAL_MIN_INTERVAL_SECONDS', 3600, 0, 30 * 24 * 3600),
    maxScheduledPastDays: read.int('DATA_SYNC_MAX_SCHEDULED_PAST_DAYS', 30, 0, 3650),
    validateCredentialsOnCreate: read.bool('DATA_SYNC_VALIDATE_CREDENTIALS_ON_CREATE', true),
    maxRecordBytes: read.int('DATA_SYNC_MAX_RECORD_BYTES', 1_048_576, 1024, 16 * 1_048_576),
    maxPageBytes: read.int('DATA_SYNC_MAX_PAGE_BYTES', 64 * 1_048_576, 1024, 1024 * 1_048_576),
    callTimeoutMs: read.int('DATA_SYNC_CALL_TIMEOUT_MS', 30_000, 50, 600_000),
    callRetries: read.int('DATA_SYNC_CALL_RETRIES', 4, 0, 20),
    retryBaseDelayMs: read.int('DATA_SYNC_RETRY_BASE_DELAY_MS', 500, 1, 60_000),
    maxRetryAfterSeconds: read.int('DATA_SYNC_MAX_RETRY_AFTER_SECONDS', 120, 0, 3600),
    schedulerCron: read.cron('DATA_SYNC_SCHEDULER_CRON', '*/15 * * * *'),
    logRetentionDays: read.int('DATA_SYNC_LOG_RETENTION_DAYS', 180, 1, 36_500),
    logCleanupCron: read.cron('DATA_SYNC_LOG_CLEANUP_CRON', '45 2 * * *'),
    streamPollMs: read.int('DATA_SYNC_STREAM_POLL_MS', 5000, 50, 600_000),
  };
}

/**
 * What a POST /api/events request holds besides its `data`: eventType (at most 100 characters), idempotencyKey
 * (at most 200) and the JSON around them. `data` takes no more room in the webhook body than in the request.
 */
const EVENT_REQUEST_ENVELOPE_BYTES = 1024;

/** A provider's callback arrives through the same body limit as every request, so its own limit must fit in it. */
function incomingMaxBodyBytes(read: EnvReader, bodyLimitBytes: number): number {
  const maxBodyBytes = read.int('INCOMING_WEBHOOKS_MAX_BODY_BYTES', 1_048_576, 1024, 10_485_760);
  if (maxBodyBytes > bodyLimitBytes) {
    throw new ConfigError(
      `INCOMING_WEBHOOKS_MAX_BODY_BYTES (${maxBodyBytes}) is above BODY_LIMIT_BYTES (${bodyLimitBytes}), which refuses such a callback first; raise BODY_LIMIT_BYTES or lower INCOMING_WEBHOOKS_MAX_BODY_BYTES`,
    );
  }
  return maxBodyBytes;
}

function loadWebhooksConfig(read: EnvReader, bodyLimitBytes: number): WebhooksConfig {
  const maxPayloadBytes = read.int('WEBHOOK_MAX_PAYLOAD_BYTES', 1_048_576, 1024, 10_485_760);
  // Refused rather than one derived from the other: both are the operator's, and a webhook limit that no request
  // can reach is a mistake to hear about, not to paper over.
  if (maxPayloadBytes + EVENT_REQUEST_ENVELOPE_BYTES > bodyLimitBytes) {
    throw new ConfigError(
      `WEBHOOK_MAX_PAYLOAD_BYTES (${maxPayloadBytes}) needs a BODY_LIMIT_BYTES of at least ${maxPayloadBytes + EVENT_REQUEST_ENVELOPE_BYTES} (${bodyLimitBytes} now) to carry such an event to POST /api/events; raise BODY_LIMIT_BYTES or lower WEBHOOK_MAX_PAYLOAD_BYTES`,
    );
  }
  return {
    maxPerTenant: read.int('WEBHOOKS_MAX_PER_TENANT', 50, 1, 100_000),
    retryBaseDelayMs: read.int('WEBHOOK_RETRY_BASE_DELAY_MS', 60_000, 10, 3_600_000),
    deliveryExpirySeconds: read.int('WEBHOOK_DELIVERY_EXPIRY_SECONDS', 24 * 3600, 1, 30 * 24 * 3600),
    maxPayloadBytes,
    inFlightPerWorker: read.int('WEBHOOK_IN_FLIGHT_PER_WORKER', 100, 1, 10_000),
    concurrencyPerWebhook: read.int('WEBHOOK_CONCURRENCY_PER_WEBHOOK', 50, 1, 10_000),
    deliveriesPerJob: read.int('WEBHOOK_DELIVERIES_PER_JOB', 20, 1, 500),
    requeueAfterMs: read.int('WEBHOOK_REQUEUE_AFTER_MS', 60_000, 0, 24 * 3_600_000),
    autoDisableAfterSeconds: read.int('WEBHOOK_AUTO_DISABLE_AFTER_SECONDS', 5 * 24 * 3600, 1, 365 * 24 * 3600),
    failureRateAlertPercent: read.int('WEBHOOK_FAILURE_RATE_ALERT_PERCENT', 20, 1, 100),
    healthCheckPageSize: read.int('WEBHOOK_HEALTH_CHECK_PAGE_SIZE', 500, 1, 10_000),
    secretRotationGraceSeconds: read.int('WEBHOOK_SECRET_ROTATION_GRACE_SECONDS', 24 * 3600, 0, 30 * 24 * 3600),
    verifyOnCreate: read.bool('WEBHOOK_VERIFY_ON_CREATE', true),
    retentionDays: read.int('WEBHOOK_DELIVERY_RETENTION_DAYS', 30, 1, 36_500),
    sweepCron: read.cron('WEBHOOK_SWEEP_CRON', '* * * * *'),
    cleanupCron: read.cron('WEBHOOK_DELIVERY_CLEANUP_CRON', '0 3 * * *'),
    statusFlushMs: read.int('WEBHOOK_STATUS_FLUSH_MS', 20, 0, 10_000),
    idempotencyWindowSeconds: read.int('EVENTS_IDEMPOTENCY_WINDOW_SECONDS', 24 * 3600, 1, 30 * 24 * 3600),
  };
}

/** The rule a `redirectUri` given per request is held to as well (isAllowedRedirectUrl). */
function oauthRedirectUrl(url: string): string {
  if (!isAllowedRedirectUrl(url)) {
    throw new ConfigError('INTEGRATIONS_OAUTH_REDIRECT_URL must be an https URL (plain http only to localhost): the authorization code travels to it');
  }
  return url;
}

/** The names proxy-addr (Fastify's trustProxy) gives to ranges: loopback, link-local, unique local. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: `false` (the default), or the addresses and CIDR ranges of the proxies in front of the service, whose
 * X-Forwarded-For entries are believed (proxy-addr, as Fastify's trustProxy). `true` is refused: it believes every
 * hop, whose first any client writes, and the caller's address decides incoming-webhook IP allow-lists and goes
 * into the audit trail. So is a number of hops: Fastify trusts nothing for one, as it cannot check the nearest peer.
 */
function parseTrustProxy(raw: string | undefined): false | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value.toLowerCase() === 'false') return false;
  const how = 'give the addresses or CIDR ranges of the proxies in front of the service (e.g. 10.0.0.5,10.1.0.0/16, or loopback)';
  if (value.toLowerCase() === 'true') throw new ConfigError(`TRUST_PROXY=true would believe an X-Forwarded-For any client can write; ${how}`);
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.filter((entry) => !PROXY_RANGE_NAMES.includes(entry) && !isAddress(entry) && !isCidr(entry));
  if (bad.length) throw new ConfigError(`TRUST_PROXY holds what is neither an address nor a CIDR range (${bad.join(', ')}); ${how}`);
  return entries;
}

/** HOST: the address to listen on (`0.0.0.0`, `::`, `127.0.0.1`) or a host name that resolves to one (`localhost`). */
function parseHost(host: string): string {
  const hostName = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
  // All digits and dots is an IPv4 address or nothing: `10.0.0.256` or `1` would fail only at listen().
  if (isAddress(host) || (hostName.test(host) && !/^[\d.]+$/.test(host))) return host;
  throw new ConfigError(`HOST must be an address to listen on (0.0.0.0 for every interface, 127.0.0.1 for this machine only) or a host name, not "${host}"`);
}

/**
 * CORS_ORIGINS: `*`, or origins as browsers send them in the Origin header: scheme, host and port, nothing after.
 * `https://app.example.com/` (a trailing slash) or a path would silently never match, so they are refused.
 */
function parseCorsOrigins(entries: string[]): string[] {
  if (entries.includes('*') && entries.length > 1) throw new ConfigError('CORS_ORIGINS: * allows every origin; list nothing else beside it');
  for (const entry of entries) {
    if (entry === '*') continue;
    let origin: string | null = null;
    try {
      const url = new URL(entry);
      if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
    } catch {
      // Not a URL: refused below.
    }
    if (origin !== entry) {
      throw new ConfigError(`CORS_ORIGINS holds "${entry}", which is not an origin; write it as a browser sends it: scheme, host and port only (e.g. https://app.example.com)`);
    }
  }
  return entries;
}

/** A dotted IPv4 or an IPv6 address: ipaddr.js also takes `1` or `0x0a000001` for IPv4, which nobody means here. */
function isAddress(entry: string): boolean {
  return ipaddr.IPv6.isValid(entry) || (/^\d{1,3}(\.\d{1,3}){3}$/.test(entry) && ipaddr.IPv4.isValid(entry));
}

function isCidr(entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash < 0 || !isAddress(entry.slice(0, slash))) return false;
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
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
    healthCheckCron: read.cron('INTEGRATIONS_HEALTH_CHECK_CRON', '*/5 * * * *'),
    healthCheckConcurrency: read.int('INTEGRATIONS_HEALTH_CHECK_CONCURRENCY', 20, 1, 500),
    unhealthyAfterFailures: read.int('INTEGRATIONS_UNHEALTHY_AFTER_FAILURES', 3, 1, 100),
    degradedResponseMs: read.int('INTEGRATIONS_DEGRADED_RESPONSE_MS', 5_000, 1, 300_000),
    callTimeoutMs: read.int('INTEGRATIONS_CALL_TIMEOUT_MS', 10_000, 50, 300_000),
    callRetries: read.int('INTEGRATIONS_CALL_RETRIES', 2, 0, 10),
    retryBaseDelayMs: read.int('INTEGRATIONS_RETRY_BASE_DELAY_MS', 200, 1, 60_000),
    breakerFailures: read.int('INTEGRATIONS_BREAKER_FAILURES', 5, 1, 1000),
    breakerHalfOpenAfterMs: read.int('INTEGRATIONS_BREAKER_HALF_OPEN_AFTER_MS', 30_000, 10, 3_600_000),
    logRetentionDays: read.int('INTEGRATIONS_LOG_RETENTION_DAYS', 90, 1, 36_500),
    logCleanupCron: read.cron('INTEGRATIONS_LOG_CLEANUP_CRON', '0 2 * * *'),
    oauth: {
      redirectUrl: oauthRedirectUrl(read.url('INTEGRATIONS_OAUTH_REDIRECT_URL', `http://localhost:${port}/api/integrations/oauth/callback`, http)),
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
    // Two replicas given one id for different keys could not open each other's secrets: an id appears once.
    if (keys.has(id)) throw new ConfigError(`ENCRYPTION_KEYS names the key "${id}" twice`);
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    // Buffer.from skips characters that are not base64, so a mistyped key could still decode to 32 bytes of
    // something else; only a key that encodes back to what was given is taken (the message never shows it).
    // Base64url and unpadded keys, which Buffer.from has always read, are compared in standard, padded form.
    const standard = encoded.replace(/-/g, '+').replace(/_/g, '/');
    if (key.length !== 32 || key.toString('base64') !== standard.padEnd(Math.ceil(standard.length / 4) * 4, '=')) {
      throw new ConfigError(`ENCRYPTION_KEYS key "${id}" must be the base64 of 32 random bytes (openssl rand -base64 32)`);
    }
    if (production && key.equals(Buffer.from(DEV_ENCRYPTION_KEY, 'base64'))) {
      throw new ConfigError(`ENCRYPTION_KEYS key "${id}" is the development key; generate one with: openssl rand -base64 32`);
    }
    if (production && new Set(key).size < MIN_DISTINCT_KEY_BYTES) {
      throw new ConfigError(`ENCRYPTION_KEYS key "${id}" looks weak (fewer than ${MIN_DISTINCT_KEY_BYTES} different byte values); generate one with: openssl rand -base64 32`);
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

  /** An integer, or null for `off`: for what an operator may switch off rather than tune. */
  intOrOff(name: string, fallback: number, min: number, max: number): number | null {
    if (this.optional(name)?.toLowerCase() === 'off') return null;
    try {
      return this.int(name, fallback, min, max);
    } catch {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, or off`);
    }
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    throw new ConfigError(`${name} must be true or false`);
  }

  /** A cron expression as Bull's scheduler reads it (cron-parser, UTC; six fields allow seconds). */
  cron(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    try {
      parseExpression(value, { tz: 'UTC' });
    } catch (error) {
      throw new ConfigError(`${name} is not a cron expression (${(error as Error).message}), e.g. "*/5 * * * *"`);
    }
    return value;
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

  /** A redis:// or rediss:// URL whose path, if any, is a database number, as ioredis reads it (SELECT). */
  redisUrl(name: string, fallback: string): string {
    const value = this.url(name, fallback, ['redis:', 'rediss:']);
    if (!/^\/?(\d+)?$/.test(new URL(value).pathname)) throw new ConfigError(`${name}'s path must be a database number, e.g. redis://127.0.0.1:6379/0`);
    return value;
  }

  list(name: string, fallback: string[] = []): string[] {
    const raw = this.optional(name);
    return raw === undefined ? fallback : raw.split(',').map((s) => s.trim()).filter(Boolean);
  }
}

export const APP_CONFIG = Symbol('APP_CONFIG');
