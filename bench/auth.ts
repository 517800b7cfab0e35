// ts-node compiles only the files it is given and their imports, so it needs this to see the autocannon typings.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./autocannon.d.ts" />
/**
 * bench/auth: what API-key authentication costs per request. `npm run bench:auth` (or `npx ts-node bench/auth.ts`;
 * add `--no-build` to skip `npm run build` when dist/ is current).
 *
 * In one run, against the built service started as a child process and a bare Fastify server in another child:
 *   (a) GET /api/me with X-API-Key (verification, rate limit, usage, scopes; answered from memory),
 *   (b) GET /health/live on the same server (no authentication),
 *   (c) bare Fastify answering the same JSON body as (a),
 * each with autocannon: 50 connections, pipelining 1, a warm-up then a measured run of the same length.
 * Prints requests/s, the ratios (a)/(b) and (a)/(c), and the service's peak resident memory (VmHWM), with
 * PASS/MISS against the targets. Figures only: it exits 0 whatever they are, and 1 only when it could not measure.
 *
 * Every key has an hourly limit of 10,000 requests, so the authenticated run spreads over 50 keys made for it,
 * one per connection; runs are short so the 500,000 requests of that budget are never reached.
 * Everything goes to 127.0.0.1. It creates its own database and Redis key prefix and removes both at the end.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Client } from 'pg';

const ROOT = join(__dirname, '..');
const HOST = '127.0.0.1';
const POSTGRES = { host: HOST, port: 5432, user: 'postgres' };
const REDIS_URL = `redis://${HOST}:6379/0`;

const CONNECTIONS = 50;
const PIPELINING = 1;
const WARMUP_SECONDS = 2;
const DURATION_SECONDS = 5;
const KEY_COUNT = 50;
const KEY_RATE_LIMIT_PER_HOUR = 10_000;

const BUILD_TIMEOUT_MS = 180_000;
const READY_TIMEOUT_MS = 60_000;
const BARE_READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const CLEANUP_STEP_TIMEOUT_MS = 15_000;
/** The whole bench, start-up and clean-up included; past it, clean up and give up. */
const WATCHDOG_MS = 5 * 60_000;
/** Characters of a child's output kept for error reports. */
const OUTPUT_KEEP_CHARS = 16_000;

const TARGETS = { authOverLive: 0.85, authOverBare: 0.6, peakRssMb: 250 };

/** The bare server of (c): a Fastify with nothing registered but the one route, answering (a)'s body. */
const BARE_FASTIFY_SCRIPT = `
const fastify = require(process.env.BENCH_FASTIFY_PATH)({ logger: false });
const body = JSON.parse(process.env.BENCH_BODY);
fastify.get('/api/me', async () => body);
fastify.listen({ host: process.env.BENCH_HOST, port: Number(process.env.BENCH_PORT) }).catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with how the process ended ("code 1", "SIGTERM"). */
  exited: Promise<string>;
  hasExited: () => boolean;
  output: () => string;
}

interface Resources {
  database: string;
  redisPrefix: string;
  service?: Child;
  bare?: Child;
}

interface Measured {
  label: string;
  result: autocannon.Result;
}

async function main(): Promise<void> {
  const suffix = randomBytes(6).toString('hex');
  const resources: Resources = { database: `ih_bench_${suffix}`, redisPrefix: `ihbench${suffix}` };
  const cleanup = once(() => cleanUp(resources));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  setTimeout(() => {
    console.error(`\nbench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
    void cleanup().finally(() => process.exit(1));
  }, WATCHDOG_MS).unref();

  try {
    await run(resources);
  } finally {
    await cleanup();
  }
}

async function run(resources: Resources): Promise<void> {
  console.log(
    `bench/auth: autocannon, ${CONNECTIONS} connections, pipelining ${PIPELINING}, ` +
      `${WARMUP_SECONDS} s warm-up + ${DURATION_SECONDS} s measured per run, all on ${HOST}`,
  );

  if (!process.argv.includes('--no-build')) build();

  const [servicePort, barePort] = await Promise.all([freePort(), freePort()]);
  const service = `http://${HOST}:${servicePort}`;
  const bootstrapKey = randomBytes(33).toString('base64url'); // 44 characters
  const startedAt = Date.now();
  resources.service = startChild('service', [join(ROOT, 'dist', 'src', 'main.js')], {
    ...process.env,
    NODE_ENV: 'development',
    PROCESS_ROLE: 'all',
    HOST,
    PORT: String(servicePort),
    DATABASE_URL: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${resources.database}`,
    REDIS_URL,
    REDIS_KEY_PREFIX: resources.redisPrefix,
    BOOTSTRAP_API_KEY: bootstrapKey,
    LOG_LEVEL: 'warn',
  });
  await waitForOk(`${service}/health/ready`, resources.service, READY_TIMEOUT_MS);
  const pid = resources.service.process.pid!;
  console.log(
    `service: node dist/src/main.js, pid ${pid}, ${service}, database ${resources.database}, ` +
      `ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s, ${formatMb(peakRssMb(pid))} peak RSS after start-up`,
  );

  const keys = await createKeys(service, bootstrapKey);
  console.log(`keys: ${keys.length} made with the bootstrap key, ${KEY_RATE_LIMIT_PER_HOUR.toLocaleString('en')} requests/hour each, one per connection`);

  const me = await call('GET', `${service}/api/me`, { apiKey: keys[0] });
  if (me.status !== 200) throw new Error(`GET /api/me answered ${me.status}: ${me.text}`);
  const live = await call('GET', `${service}/health/live`);
  if (live.status !== 200) throw new Error(`GET /health/live answered ${live.status}: ${live.text}`);
  console.log(`GET /api/me answers (${Buffer.byteLength(me.text)} bytes): ${me.text}`);

  const fastifyPath = require.resolve('fastify', { paths: [dirname(require.resolve('@nestjs/platform-fastify'))] });
  const fastifyVersion = (JSON.parse(readFileSync(join(dirname(fastifyPath), 'package.json'), 'utf8')) as { version: string }).version;
  resources.bare = startChild('bare Fastify', ['-e', BARE_FASTIFY_SCRIPT], {
    PATH: process.env.PATH,
    BENCH_FASTIFY_PATH: fastifyPath,
    BENCH_BODY: me.text,
    BENCH_HOST: HOST,
    BENCH_PORT: String(barePort),
  });
  const bare = `http://${HOST}:${barePort}`;
  await waitForOk(`${bare}/api/me`, resources.bare, BARE_READY_TIMEOUT_MS);
  const bareBody = await call('GET', `${bare}/api/me`);
  console.log(
    `bare Fastify ${fastifyVersion} (the one @nestjs/platform-fastify uses): pid ${resources.bare.process.pid}, ${bare}` +
      (bareBody.text === me.text ? ', same body' : `, DIFFERENT body: ${bareBody.text}`),
  );

  let next = 0;
  const runs: Measured[] = [];
  runs.push({
    label: '(a) GET /api/me, X-API-Key',
    result: await measure(`${service}/api/me`, (client) => client.setHeaders({ 'x-api-key': keys[next++ % keys.length] })),
  });
  runs.push({ label: '(b) GET /health/live', result: await measure(`${service}/health/live`) });
  runs.push({ label: '(c) bare Fastify GET /api/me', result: await measure(`${bare}/api/me`) });

  const peakMb = peakRssMb(pid);
  const currentMb = currentRssMb(pid);
  if (resources.service.hasExited()) throw new Error(`the service exited during the runs; its output:\n${resources.service.output()}`);

  report(runs, peakMb, currentMb);
}

function report(runs: Measured[], peakMb: number | undefined, currentMb: number | undefined): void {
  const [auth, live, bare] = runs.map((run) => run.result);
  console.log('');
  console.log(`${'run'.padEnd(32)}${'req/s'.padStart(10)}${'requests'.padStart(11)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'non-2xx'.padStart(9)}${'errors'.padStart(8)}`);
  for (const { label, result } of runs) {
    console.log(
      label.padEnd(32) +
        Math.round(result.requests.average).toLocaleString('en').padStart(10) +
        result.requests.total!.toLocaleString('en').padStart(11) +
        String(result.latency.p50).padStart(8) +
        String(result.latency.p99).padStart(8) +
        String(result.non2xx).padStart(9) +
        String(result.errors + result.timeouts).padStart(8),
    );
  }

  const invalid = auth.non2xx > 0 || auth.errors > 0 || auth.timeouts > 0;
  console.log('');
  console.log(`authenticated run: ${auth.non2xx} non-2xx responses, ${auth.errors} errors, ${auth.timeouts} timeouts` +
    ` (${(auth.warmup?.non2xx ?? 0)} non-2xx in its warm-up); requests sent with the 50 keys: ${authRequestsSent(auth).toLocaleString('en')}` +
    ` of ${(KEY_COUNT * KEY_RATE_LIMIT_PER_HOUR).toLocaleString('en')} per hour`);
  if (invalid) {
    const codes = Object.entries(auth.statusCodeStats).map(([code, { count }]) => `${code}: ${count}`).join(', ');
    console.log('');
    console.log('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    console.log(`!!! THE AUTHENTICATED RUN HAD ${auth.non2xx} NON-2xx RESPONSES, ${auth.errors} ERRORS AND ${auth.timeouts} TIMEOUTS (status codes: ${codes})`);
    console.log('!!! Its requests/s do not measure authenticated requests: the figures below are INVALID.');
    console.log('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
  }
  for (const [label, result] of [['(b)', live], ['(c)', bare]] as const) {
    if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
      console.log(`WARNING: ${label} had ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts: its figure is suspect`);
    }
  }

  const authOverLive = auth.requests.average / live.requests.average;
  const authOverBare = auth.requests.average / bare.requests.average;
  const ratioVerdict = (ratio: number, target: number): string => (invalid ? 'INVALID' : ratio >= target ? 'PASS' : 'MISS');
  console.log('');
  console.log(`authenticated / live          ${authOverLive.toFixed(2).padStart(9)}   target >= ${TARGETS.authOverLive.toFixed(2)}   ${ratioVerdict(authOverLive, TARGETS.authOverLive)}`);
  console.log(`authenticated / bare Fastify  ${authOverBare.toFixed(2).padStart(9)}   target >= ${TARGETS.authOverBare.toFixed(2)}   ${ratioVerdict(authOverBare, TARGETS.authOverBare)}`);
  console.log(
    `service peak RSS (VmHWM)      ${formatMb(peakMb).padStart(9)}   target <  ${TARGETS.peakRssMb} MB   ` +
      `${peakMb === undefined ? 'n/a' : peakMb < TARGETS.peakRssMb ? 'PASS' : 'MISS'}   (RSS now ${formatMb(currentMb)})`,
  );
}

function authRequestsSent(result: autocannon.Result): number {
  return result.requests.sent + (result.warmup?.requests.sent ?? 0);
}

/** One autocannon run (warm-up, then the measured part), bounded in time. */
async function measure(url: string, setupClient?: (client: autocannon.Client) => void): Promise<autocannon.Result> {
  const options: autocannon.Options = {
    url,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: DURATION_SECONDS,
    timeout: 10,
    warmup: { connections: CONNECTIONS, duration: WARMUP_SECONDS },
  };
  if (setupClient) options.setupClient = setupClient;
  const started = Date.now();
  process.stdout.write(`measuring ${url} ... `);
  const result = await withTimeout(Promise.resolve(autocannon(options)), (WARMUP_SECONDS + DURATION_SECONDS + 30) * 1000, `autocannon on ${url}`);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function createKeys(service: string, bootstrapKey: string): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < KEY_COUNT; i++) {
    const answer = await call('POST', `${service}/api/apikeys`, {
      apiKey: bootstrapKey,
      json: { keyName: `bench-${i}`, scopes: ['integration:read'], rateLimitPerHour: KEY_RATE_LIMIT_PER_HOUR },
    });
    const key = answer.status === 201 || answer.status === 200 ? (JSON.parse(answer.text) as { key?: unknown }).key : undefined;
    if (typeof key !== 'string') throw new Error(`POST /api/apikeys (key ${i + 1} of ${KEY_COUNT}) answered ${answer.status}: ${answer.text}`);
    keys.push(key);
  }
  return keys;
}

function build(): void {
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (result.status !== 0) {
    const how = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
    throw new Error(`npm run build failed (${how}):\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  console.log(`build: npm run build, ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let ended: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve((ended = signal ?? `code ${code}`)));
    child.once('error', (error) => {
      output += `\n${error.message}`;
      resolve((ended = `spawn error: ${error.message}`));
    });
  });
  return { name, process: child, exited, hasExited: () => ended !== undefined, output: () => output };
}

async function stopChild(child: Child): Promise<void> {
  if (child.hasExited()) return;
  child.process.kill('SIGTERM');
  if ((await Promise.race([child.exited, sleep(STOP_TIMEOUT_MS).then(() => undefined)])) !== undefined) return;
  console.error(`bench: ${child.name} ignored SIGTERM for ${STOP_TIMEOUT_MS / 1000} s, killing it`);
  child.process.kill('SIGKILL');
  await Promise.race([child.exited, sleep(2_000)]);
}

/** Polls `url` until it answers 200; fails with the child's output if the child dies or time runs out. */
async function waitForOk(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.hasExited()) {
      throw new Error(`${child.name} exited (${await child.exited}) before ${url} answered 200. Its output:\n${child.output()}`);
    }
    try {
      const answer = await call('GET', url, { timeoutMs: 2_000 });
      if (answer.status === 200) return;
      last = `${answer.status} ${answer.text}`;
    } catch (error) {
      last = describe(error);
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last}). Output of ${child.name}:\n${child.output()}`);
}

async function call(
  method: 'GET' | 'POST',
  url: string,
  options: { apiKey?: string; json?: unknown; timeoutMs?: number } = {},
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  return { status: response.status, text: await response.text() };
}

/** Stops both children, drops the bench database and deletes the bench's Redis keys; reports, never throws. */
async function cleanUp(resources: Resources): Promise<void> {
  await Promise.all([resources.bare, resources.service].map((child) => (child ? stopChild(child) : undefined)));
  const steps: Array<[string, () => Promise<string>]> = [
    ['drop database', () => dropDatabase(resources.database)],
    ['delete Redis keys', () => deleteRedisKeys(resources.redisPrefix)],
  ];
  const done: string[] = [];
  for (const [name, step] of steps) {
    try {
      done.push(await withTimeout(step(), CLEANUP_STEP_TIMEOUT_MS, name));
    } catch (error) {
      console.error(`bench: clean-up could not ${name}: ${describe(error)}`);
    }
  }
  console.log(`\nclean-up: children stopped${done.map((line) => `, ${line}`).join('')}`);
}

async function dropDatabase(database: string): Promise<string> {
  const client = new Client({ ...POSTGRES, database: 'postgres', connectionTimeoutMillis: 5_000, statement_timeout: 10_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  return `database ${database} dropped`;
}

async function deleteRedisKeys(prefix: string): Promise<string> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return `${deleted} Redis keys ${prefix}:* deleted`;
}

/** Peak resident set size of a process, in MB (MiB), from /proc (Linux); undefined elsewhere. */
function peakRssMb(pid: number): number | undefined {
  return procStatusMb(pid, 'VmHWM');
}

function currentRssMb(pid: number): number | undefined {
  return procStatusMb(pid, 'VmRSS');
}

function procStatusMb(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function formatMb(mb: number | undefined): string {
  return mb === undefined ? 'n/a' : `${mb.toFixed(1)} MB`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`\nbench/auth could not measure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
