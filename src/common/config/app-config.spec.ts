import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const quiet = () => undefined;
/** 32 different byte values, as a generated key has (about 30). */
const operatorKey = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64');
const prodSecrets = {
  NODE_ENV: 'production',
  BOOTSTRAP_API_KEY: 'an-operator-chosen-bootstrap-key-of-40-chars',
  ENCRYPTION_KEYS: `k1:${operatorKey}`,
};

function messageOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env, quiet);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('runs with no environment at all outside production, on the spec defaults', () => {
    const warnings: string[] = [];
    const config = loadConfig({}, (w) => warnings.push(w));
    expect(config.port).toBe(3000);
    expect(config.processRole).toBe('all');
    expect(config.apiKeys.maxActivePerTenant).toBe(100);
    expect(config.apiKeys.rotationGraceSeconds).toBe(86400);
    // The numbers the BR-* rules fix, as defaults.
    expect(config.integrations.healthCheckCron).toBe('*/5 * * * *'); // BR-IM-03
    expect(config.integrations.unhealthyAfterFailures).toBe(3); // BR-IM-04
    expect(config.webhooks.retryBaseDelayMs).toBe(60_000); // BR-WH-04
    expect(config.webhooks.deliveryExpirySeconds).toBe(86_400); // BR-WH-05
    expect(config.webhooks.maxPerTenant).toBe(50); // BR-WH-07
    expect(config.dataSync.batchSize).toBe(10_000); // BR-DS-03
    expect(config.dataSync.runTimeoutSeconds).toBe(3600); // BR-DS-05
    expect(warnings.join('\n')).toContain('X-API-Key');
  });

  it('refuses to start in production without secrets, naming the variable', () => {
    expect(messageOf({ NODE_ENV: 'production' })).toContain('BOOTSTRAP_API_KEY');
    expect(messageOf({ ...prodSecrets, ENCRYPTION_KEYS: undefined })).toContain('ENCRYPTION_KEYS');
    expect(messageOf({ ...prodSecrets, ENCRYPTION_KEYS: `dev:${Buffer.alloc(32, 7).toString('base64')}` })).toContain('development key');
    expect(messageOf({ ...prodSecrets, BOOTSTRAP_API_KEY: 'dev-bootstrap-key-for-local-use-only-0000' })).toContain('development key');
    expect(loadConfig(prodSecrets, quiet).production).toBe(true);
  });

  it('refuses weak secrets in production and a mistyped NODE_ENV, naming the variable', () => {
    expect(messageOf({ ...prodSecrets, BOOTSTRAP_API_KEY: 'x'.repeat(40) })).toMatch(/BOOTSTRAP_API_KEY looks weak/);
    expect(messageOf({ ...prodSecrets, BOOTSTRAP_API_KEY: 'password'.repeat(5) })).toMatch(/BOOTSTRAP_API_KEY looks weak/);
    expect(messageOf({ ...prodSecrets, ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString('base64')}` })).toMatch(/ENCRYPTION_KEYS key "k1" looks weak/);
    expect(messageOf({ ...prodSecrets, ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` })).toMatch(/ENCRYPTION_KEYS key "k1" looks weak/);
    // What the README tells operators to run: hex and base64 output pass.
    expect(loadConfig({ ...prodSecrets, BOOTSTRAP_API_KEY: '0123456789abcdef'.repeat(4) }, quiet).production).toBe(true);
    expect(messageOf({ ...prodSecrets, NODE_ENV: 'prod' })).toContain('NODE_ENV');
    expect(messageOf({ NODE_ENV: 'Production' })).toContain('NODE_ENV');
  });

  it('allows loopback targets outside production only, and says so at start', () => {
    const warnings: string[] = [];
    expect(loadConfig({ NODE_ENV: 'development' }, (w) => warnings.push(w)).allowLoopbackTargets).toBe(true);
    expect(warnings.join('\n')).toContain('ALLOW_LOOPBACK_TARGETS is on');
    expect(loadConfig(prodSecrets, quiet).allowLoopbackTargets).toBe(false);
    const quietWarnings: string[] = [];
    expect(loadConfig({ NODE_ENV: 'development', ALLOW_LOOPBACK_TARGETS: 'false' }, (w) => quietWarnings.push(w)).allowLoopbackTargets).toBe(false);
    expect(quietWarnings.join('\n')).not.toContain('ALLOW_LOOPBACK_TARGETS');
  });

  it('names the variable that is wrong', () => {
    expect(messageOf({ PORT: 'eighty' })).toContain('PORT');
    expect(messageOf({ API_KEYS_EXPIRY_CRON: 'every hour' })).toContain('API_KEYS_EXPIRY_CRON');
    expect(messageOf({ WEBHOOK_SWEEP_CRON: '61 * * * *' })).toContain('WEBHOOK_SWEEP_CRON');
    expect(loadConfig({ INTEGRATIONS_HEALTH_CHECK_CRON: '*/30 * * * * *' }, quiet).integrations.healthCheckCron).toBe('*/30 * * * * *');
    expect(messageOf({ PROCESS_ROLE: 'both' })).toContain('PROCESS_ROLE');
    expect(messageOf({ DATABASE_URL: 'mysql://localhost/x' })).toContain('DATABASE_URL');
    expect(messageOf({ REDIS_URL: 'redis://127.0.0.1:6379/abc' })).toContain("REDIS_URL's path must be a database number");
    for (const redisUrl of ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379/', 'rediss://cache.internal:6380/12']) expect(loadConfig({ REDIS_URL: redisUrl }, quiet).redisUrl).toBe(redisUrl);
    expect(messageOf({ BOOTSTRAP_API_KEY: 'short' })).toContain('BOOTSTRAP_API_KEY');
    expect(messageOf({ ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toContain('ENCRYPTION_KEYS');
    expect(messageOf({ ENCRYPTION_KEYS: `a:${Buffer.alloc(32).toString('base64')},b:${Buffer.alloc(32, 2).toString('base64')}` })).toContain('ENCRYPTION_ACTIVE_KEY');
    expect(messageOf({ API_KEYS_ROTATION_GRACE_SECONDS: '-1' })).toContain('API_KEYS_ROTATION_GRACE_SECONDS');
    expect(messageOf({ WORKER_METRICS_PORT: '70000' })).toContain('WORKER_METRICS_PORT');
    expect(messageOf({ OUTBOX_RECOVER_AFTER_MS: 'soon' })).toContain('OUTBOX_RECOVER_AFTER_MS');
    expect(messageOf({ INCOMING_WEBHOOKS_MAX_BODY_BYTES: '5000000' })).toMatch(/INCOMING_WEBHOOKS_MAX_BODY_BYTES .*BODY_LIMIT_BYTES/);
    expect(loadConfig({ INCOMING_WEBHOOKS_MAX_BODY_BYTES: '5000000', BODY_LIMIT_BYTES: '6000000' }, quiet).incomingWebhooks.maxBodyBytes).toBe(5_000_000);
    expect(messageOf({ WORKER_METRICS_PORT: 'of' })).toContain('WORKER_METRICS_PORT');
    expect(messageOf({ AUDIT_RETENTION_DAYS: '30' })).toContain('AUDIT_RETENTION_DAYS');
    expect(messageOf({ INTEGRATIONS_OAUTH_REDIRECT_URL: 'http://hub.internal/api/integrations/oauth/callback' })).toContain('INTEGRATIONS_OAUTH_REDIRECT_URL must be an https URL');
    expect(loadConfig({ INTEGRATIONS_OAUTH_REDIRECT_URL: 'https://hub.example.com/api/integrations/oauth/callback' }, quiet).integrations.oauth.redirectUrl).toBe('https://hub.example.com/api/integrations/oauth/callback');
  });

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY names, never from every hop', () => {
    expect(loadConfig({}, quiet).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }, quiet).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8,loopback' }, quiet).trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8', 'loopback']);
    expect(messageOf({ TRUST_PROXY: 'true' })).toMatch(/^TRUST_PROXY=true would believe an X-Forwarded-For any client can write/);
    for (const bad of ['1', '0x0a000001', '10.0.0.0/33', 'proxy.internal']) expect(messageOf({ TRUST_PROXY: bad })).toContain(`TRUST_PROXY holds what is neither an address nor a CIDR range (${bad})`);
  });

  it('listens on an address or host name only, and allows browsers from exact origins only', () => {
    expect(loadConfig({ HOST: '127.0.0.1' }, quiet).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '::' }, quiet).host).toBe('::');
    expect(loadConfig({ HOST: 'localhost' }, quiet).host).toBe('localhost');
    for (const bad of ['http://0.0.0.0', '0.0.0.0:3000', 'my host', '10.0.0.256', '1']) expect(messageOf({ HOST: bad })).toMatch(/^HOST must be an address to listen on/);

    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }, quiet).corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({ CORS_ORIGINS: '*' }, quiet).corsOrigins).toEqual(['*']);
    expect(loadConfig({}, quiet).corsOrigins).toEqual([]);
    for (const bad of ['https://app.example.com/', 'https://app.example.com/admin', 'app.example.com', 'ftp://files.example.com']) {
      expect(messageOf({ CORS_ORIGINS: bad })).toBe(
        `CORS_ORIGINS holds "${bad}", which is not an origin; write it as a browser sends it: scheme, host and port only (e.g. https://app.example.com)`,
      );
    }
    expect(messageOf({ CORS_ORIGINS: '*,https://app.example.com' })).toBe('CORS_ORIGINS: * allows every origin; list nothing else beside it');
  });

  it('takes each encryption key once and only as exact base64 of 32 bytes, never echoing it', () => {
    const key = Buffer.alloc(32, 3).toString('base64');
    expect(messageOf({ ENCRYPTION_KEYS: `k1:${key},k1:${Buffer.alloc(32, 4).toString('base64')}`, ENCRYPTION_ACTIVE_KEY: 'k1' })).toContain('"k1" twice');
    // A stray character Buffer.from would skip: the rest still decodes to 32 bytes.
    const mistyped = `${key.slice(0, 10)}*${key.slice(10)}`;
    expect(Buffer.from(mistyped, 'base64')).toHaveLength(32);
    const message = messageOf({ ENCRYPTION_KEYS: `k1:${mistyped}`, ENCRYPTION_ACTIVE_KEY: 'k1' });
    expect(message).toContain('ENCRYPTION_KEYS key "k1"');
    expect(message).not.toContain(key.slice(0, 10));
    // The forms Buffer.from always read stay readable: base64url, and no padding.
    const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
    expect(urlSafe).toMatch(/[-_]/);
    for (const form of [urlSafe, Buffer.alloc(32, 0xfb).toString('base64').replace(/=+$/, '')]) {
      expect(loadConfig({ ENCRYPTION_KEYS: `k1:${form}`, ENCRYPTION_ACTIVE_KEY: 'k1' }, quiet).encryption.keys.get('k1')).toEqual(Buffer.alloc(32, 0xfb));
    }
  });

  it('refuses a webhook payload limit that the body limit cannot carry to POST /api/events, naming both', () => {
    const message = messageOf({ WEBHOOK_MAX_PAYLOAD_BYTES: '2000000' });
    expect(message).toContain('WEBHOOK_MAX_PAYLOAD_BYTES');
    expect(message).toContain('BODY_LIMIT_BYTES');
    expect(messageOf({ BODY_LIMIT_BYTES: '1048576' })).toContain('WEBHOOK_MAX_PAYLOAD_BYTES');
    expect(loadConfig({ WEBHOOK_MAX_PAYLOAD_BYTES: '2000000', BODY_LIMIT_BYTES: '2001024' }, quiet).webhooks.maxPayloadBytes).toBe(2_000_000);
    expect(loadConfig({ BODY_LIMIT_BYTES: '4096', WEBHOOK_MAX_PAYLOAD_BYTES: '3072', INCOMING_WEBHOOKS_MAX_BODY_BYTES: '4096' }, quiet).bodyLimitBytes).toBe(4096);
  });

  it("a worker's metrics port defaults to 9464, takes 0 for a free port and off to serve nothing", () => {
    expect(loadConfig({}, quiet).workerMetricsPort).toBe(9464);
    expect(loadConfig({ WORKER_METRICS_PORT: '' }, quiet).workerMetricsPort).toBe(9464);
    expect(loadConfig({ WORKER_METRICS_PORT: '0' }, quiet).workerMetricsPort).toBe(0);
    expect(loadConfig({ WORKER_METRICS_PORT: 'OFF' }, quiet).workerMetricsPort).toBeNull();
  });

  it('documents every variable it reads in .env.example and the README', () => {
    const root = join(__dirname, '..', '..', '..');
    const source = readFileSync(join(__dirname, 'app-config.ts'), 'utf8');
    const names = [...new Set([...source.matchAll(/read\.\w+\(\s*'([A-Z][A-Z0-9_]+)'/g)].map((match) => match[1]))];
    expect(names.length).toBeGreaterThan(50);
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(names.filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example))).toEqual([]);
    // The README's table may shorten a family of names to their common ending (`…_PAYPAL_URL`).
    expect(names.filter((name) => !readme.includes(`\`${name}\``) && !readme.includes(`\`…_${name.split('_').slice(1).join('_')}\``))).toEqual([]);
  });
});
