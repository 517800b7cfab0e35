/**
 * What every benchmark needs: build the service, run it (and other servers) as child processes on 127.0.0.1
 * with a database and Redis key prefix of their own, read their memory from /proc, and clean everything up
 * whatever happens (errors, Ctrl-C, a watchdog). Benchmarks print figures; nothing here asserts a timing.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';

export const ROOT = join(__dirname, '..', '..');
export const HOST = '127.0.0.1';
const POSTGRES = { host: HOST, port: 5432, user: 'postgres' };
const REDIS_URL = `redis://${HOST}:6379/0`;

const BUILD_TIMEOUT_MS = 180_000;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const CLEANUP_STEP_TIMEOUT_MS = 15_000;
const OUTPUT_KEEP_CHARS = 16_000;

export interface Child {
  name: string;
  process: ChildProcess;
  /** Resolves with how the process ended ("code 1", "SIGTERM"). */
  exited: Promise<string>;
  hasExited: () => boolean;
  output: () => string;
}

export interface Resources {
  database: string;
  redisPrefix: string;
  children: Child[];
}

export interface RunningService {
  url: string;
  pid: number;
  bootstrapKey: string;
  child: Child;
  /** The environment it runs with: a worker started with it shares its database, Redis prefix and keys. */
  env: NodeJS.ProcessEnv;
}

/**
 * Runs `body` with fresh resources and always cleans up; exits 0 when it measured, 1 when it could not.
 * `watchdogMs` bounds the whole run.
 */
export function runBench(name: string, watchdogMs: number, body: (resources: Resources) => Promise<void>): void {
  const suffix = randomBytes(6).toString('hex');
  const resources: Resources = { database: `ih_bench_${suffix}`, redisPrefix: `ihbench${suffix}`, children: [] };
  const cleanup = once(() => cleanUp(resources));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${name}: ${signal}, cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  setTimeout(() => {
    console.error(`\n${name}: still running after ${watchdogMs / 1000} s, giving up`);
    void cleanup().finally(() => process.exit(1));
  }, watchdogMs).unref();
  body(resources)
    .finally(cleanup)
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`\n${name} could not measure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
      },
    );
}

/** Builds (unless --no-build) and starts `node dist/src/main.js` with the bench's database and Redis prefix. */
export async function startService(resources: Resources, env: Record<string, string> = {}): Promise<RunningService> {
  if (!process.argv.includes('--no-build')) build();
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const bootstrapKey = randomBytes(33).toString('base64url'); // 44 characters
  const startedAt = Date.now();
  const serviceEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PROCESS_ROLE: 'all',
    HOST,
    PORT: String(port),
    DATABASE_URL: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${resources.database}`,
    REDIS_URL,
    REDIS_KEY_PREFIX: resources.redisPrefix,
    BOOTSTRAP_API_KEY: bootstrapKey,
    LOG_LEVEL: 'warn',
    ...env,
  };
  // BENCH_NODE_ARGS passes flags to the service's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profile".
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = startChild('service', [...nodeArgs, join(ROOT, 'dist', 'src', 'main.js')], serviceEnv);
  resources.children.push(child);
  await waitForOk(`${url}/health/ready`, child, READY_TIMEOUT_MS);
  const pid = child.process.pid!;
  console.log(
    `service: node dist/src/main.js, pid ${pid}, ${url}, database ${resources.database}, ` +
      `ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s, ${formatMb(peakRssMb(pid))} peak RSS after start-up`,
  );
  return { url, pid, bootstrapKey, child, env: serviceEnv };
}

/**
 * A separate worker process (`node dist/src/worker.js`) for `service`, as production runs API and workers apart.
 * BENCH_WORKER_NODE_ARGS passes flags to its node, as BENCH_NODE_ARGS does to the service's. Each takes a free port
 * for its metrics listener: a bench may start several on this machine, and the default port is one.
 */
export function startWorker(resources: Resources, service: RunningService): Child {
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const worker = startChild('worker', [...nodeArgs, join(ROOT, 'dist', 'src', 'worker.js')], { ...service.env, PROCESS_ROLE: 'worker', WORKER_METRICS_PORT: '0' });
  resources.children.push(worker);
  return worker;
}

export function build(): void {
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (result.status !== 0) {
    const how = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
    throw new Error(`npm run build failed (${how}):\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  console.log(`build: npm run build, ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
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

export async function stopChild(child: Child): Promise<void> {
  if (child.hasExited()) return;
  child.process.kill('SIGTERM');
  if ((await Promise.race([child.exited, sleep(STOP_TIMEOUT_MS).then(() => undefined)])) !== undefined) return;
  console.error(`bench: ${child.name} ignored SIGTERM for ${STOP_TIMEOUT_MS / 1000} s, killing it`);
  child.process.kill('SIGKILL');
  await Promise.race([child.exited, sleep(2_000)]);
}

/** Polls `url` until it answers 200; fails with the child's output if the child dies or time runs out. */
export async function waitForOk(url: string, child: Child, timeoutMs: number): Promise<void> {
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

export async function call(
  method: 'GET' | 'POST',
  url: string,
  options: { apiKey?: string; json?: unknown; timeoutMs?: number } = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Stops every child, drops the bench database and deletes the bench's Redis keys; reports, never throws. */
async function cleanUp(resources: Resources): Promise<void> {
  await Promise.all(resources.children.map((child) => stopChild(child)));
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
export function peakRssMb(pid: number): number | undefined {
  return procStatusMb(pid, 'VmHWM');
}

export function currentRssMb(pid: number): number | undefined {
  return procStatusMb(pid, 'VmRSS');
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux only). Unlike elapsed
 * time, it barely moves when other work shares the machine: the difference over a run, divided by the work
 * done, is a cost per item that can be compared between noisy runs.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are 14th and 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

function procStatusMb(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function formatMb(mb: number | undefined): string {
  return mb === undefined ? 'n/a' : `${mb.toFixed(1)} MB`;
}

export function freePort(): Promise<number> {
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

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
