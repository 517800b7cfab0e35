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
 *   (d) the same bare Fastify with what no implementation of issue #2 on this runtime can leave out (for
 *       information, not a target): the service's security headers and a request id on every answer, a
 *       prom-client duration histogram, a pino logger, and Node 20's async-context tracking switched on, as any
 *       MikroORM application has it (its transactions and flushes run in AsyncLocalStorage),
 * each with autocannon: 50 connections, pipelining 1; a warm-up of each, then BENCH_ROUNDS rounds (default 3) of
 * (a), (b), (c), (d) back to back. The machine's speed swings within minutes, so each round's ratios compare runs a
 * few seconds apart, and the verdict is on the median round. Prints requests/s, the ratios (a)/(b) and (a)/(c) (and,
 * for information, (a)/(d) and (d)/(c)), and the service's peak resident memory (VmHWM), with PASS/MISS against the
 * targets. Figures only: it exits 0 whatever they are, and 1 only when it could not measure.
 *
 * Every key has an hourly limit of 10,000 requests, so the authenticated run spreads over 50 keys made for it,
 * one per connection; the warm-up and at most 3 rounds of 3 s stay within the 500,000 requests of that budget.
 * Everything goes to 127.0.0.1. It creates its own database and Redis key prefix and removes both at the end.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { call, Child, cpuSeconds, currentRssMb, formatMb, freePort, HOST, peakRssMb, Resources, runBench, startChild, startService, waitForOk, withTimeout } from './support/bench-service';

const CONNECTIONS = 50;
const PIPELINING = 1;
const WARMUP_SECONDS = 2;
const DURATION_SECONDS = 3;
/**
 * At most 3: the authenticated warm-up and rounds (2 s + 3 × 3 s) stay within the keys' 500,000 requests an hour up
 * to 45,000 req/s; a fourth round would run out above 35,700 req/s.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 3) throw new Error(`BENCH_ROUNDS must be 1, 2 or 3, not ${process.env.BENCH_ROUNDS}`);
const KEY_COUNT = 50;
const KEY_RATE_LIMIT_PER_HOUR = 10_000;
const BARE_READY_TIMEOUT_MS = 15_000;
/** The whole bench, start-up and clean-up included; past it, clean up and give up. */
const WATCHDOG_MS = 5 * 60_000;

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

/**
 * The server of (d): (c) plus the floor under (b). Each part is in its cheapest form: the service's constant
 * security headers (taken from its answer to (b)) set in one hook, the request id from a counter, one histogram
 * series resolved once, request logging off, and one AsyncLocalStorage entered once (MikroORM has several; from the
 * first, Node 20 runs its init hook for every promise made in the process).
 */
const FLOOR_FASTIFY_SCRIPT = `
const { AsyncLocalStorage } = require('node:async_hooks');
const pino = require(process.env.BENCH_PINO_PATH);
const { Histogram, Registry } = require(process.env.BENCH_PROM_CLIENT_PATH);
const headers = JSON.parse(process.env.BENCH_HEADERS);
const body = JSON.parse(process.env.BENCH_BODY);
let requests = 0;
const fastify = require(process.env.BENCH_FASTIFY_PATH)({
  loggerInstance: pino({ level: 'warn' }),
  disableRequestLogging: true,
  genReqId: () => 'bench-' + (++requests).toString(36),
});
const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'bench', labelNames: ['method', 'route', 'status'], registers: [new Registry()] })
  .labels({ method: 'GET', route: '/api/me', status: 200 });
fastify.addHook('onRequest', (request, reply, done) => {
  reply.headers(headers).header('x-request-id', request.id);
  done();
});
fastify.addHook('onResponse', (request, reply, done) => {
  duration.observe(reply.elapsedTime / 1000);
  done();
});
new AsyncLocalStorage().enterWith({});
fastify.get('/api/me', async () => body);
fastify.listen({ host: process.env.BENCH_HOST, port: Number(process.env.BENCH_PORT) }).catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** Headers Fastify or Node set on every answer, or that differ per request: not part of the service's constant set. */
const PER_ANSWER_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'x-request-id']);

interface Target {
  label: string;
  url: string;
  /** The process that answers: its CPU time is read before and after each run. */
  pid: number;
  setupClient?: (client: autocannon.Client) => void;
}

interface Measured {
  result: autocannon.Result;
  /** CPU (user + system) the answering process used per request, in µs. */
  cpuPerRequestUs: number | undefined;
}

async function run(resources: Resources): Promise<void> {
  console.log(
    `bench/auth: autocannon, ${CONNECTIONS} connections, pipelining ${PIPELINING}, ` +
      `a ${WARMUP_SECONDS} s warm-up of each run, then ${ROUNDS} rounds of ${DURATION_SECONDS} s runs, all on ${HOST}`,
  );

  const { url: service, pid, bootstrapKey, child } = await startService(resources, { PROCESS_ROLE: 'api' });

  const keys = await createKeys(service, bootstrapKey);
  console.log(`keys: ${keys.length} made with the bootstrap key, ${KEY_RATE_LIMIT_PER_HOUR.toLocaleString('en')} requests/hour each, one per connection`);

  const me = await call('GET', `${service}/api/me`, { apiKey: keys[0] });
  if (me.status !== 200) throw new Error(`GET /api/me answered ${me.status}: ${me.text}`);
  const live = await call('GET', `${service}/health/live`);
  if (live.status !== 200) throw new Error(`GET /health/live answered ${live.status}: ${live.text}`);
  console.log(`GET /api/me answers (${Buffer.byteLength(me.text)} bytes): ${me.text}`);

  const fastifyPath = require.resolve('fastify', { paths: [dirname(require.resolve('@nestjs/platform-fastify'))] });
  const fastifyVersion = (JSON.parse(readFileSync(join(dirname(fastifyPath), 'package.json'), 'utf8')) as { version: string }).version;
  const securityHeaders = Object.fromEntries([...live.headers].filter(([name]) => !PER_ANSWER_HEADERS.has(name)));
  const { url: bare, child: bareChild } = await startFastify('bare Fastify', BARE_FASTIFY_SCRIPT, { BENCH_FASTIFY_PATH: fastifyPath, BENCH_BODY: me.text }, resources);
  const { url: floor, child: floorChild } = await startFastify(
    'floor Fastify',
    FLOOR_FASTIFY_SCRIPT,
    {
      BENCH_FASTIFY_PATH: fastifyPath,
      BENCH_PINO_PATH: require.resolve('pino'),
      BENCH_PROM_CLIENT_PATH: require.resolve('prom-client'),
      BENCH_HEADERS: JSON.stringify(securityHeaders),
      BENCH_BODY: me.text,
    },
    resources,
  );
  for (const [label, url, started] of [['bare Fastify', bare, bareChild], ['floor Fastify', floor, floorChild]] as const) {
    const answer = await call('GET', `${url}/api/me`);
    console.log(
      `${label} ${fastifyVersion} (the one @nestjs/platform-fastify uses): pid ${started.process.pid}, ${url}` +
        (answer.text === me.text ? ', same body' : `, DIFFERENT body: ${answer.text}`),
    );
  }
  console.log(`floor Fastify sets the service's constant headers: ${Object.keys(securityHeaders).join(', ')}`);

  let next = 0;
  const targets: Target[] = [
    { label: '(a) GET /api/me, X-API-Key', url: `${service}/api/me`, pid, setupClient: (client) => client.setHeaders({ 'x-api-key': keys[next++ % keys.length] }) },
    { label: '(b) GET /health/live', url: `${service}/health/live`, pid },
    { label: '(c) bare Fastify GET /api/me', url: `${bare}/api/me`, pid: bareChild.process.pid! },
    { label: '(d) floor Fastify GET /api/me', url: `${floor}/api/me`, pid: floorChild.process.pid! },
  ];
  const warmUps: autocannon.Result[] = [];
  for (const target of targets) warmUps.push(await warmUp(target));
  const rounds: Measured[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const measured: Measured[] = [];
    for (const target of targets) measured.push(await measure(target, `round ${round + 1} of ${ROUNDS}`));
    rounds.push(measured);
  }

  const peakMb = peakRssMb(pid);
  const currentMb = currentRssMb(pid);
  if (child.hasExited()) throw new Error(`the service exited during the runs; its output:\n${child.output()}`);

  report(targets, warmUps[0], rounds, peakMb, currentMb);
}

function report(targets: Target[], authWarmUp: autocannon.Result, rounds: Measured[][], peakMb: number | undefined, currentMb: number | undefined): void {
  console.log('');
  console.log(
    `${'round'.padEnd(7)}${'run'.padEnd(32)}${'req/s'.padStart(10)}${'requests'.padStart(11)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'non-2xx'.padStart(9)}${'errors'.padStart(8)}` +
      'CPU µs/req'.padStart(12),
  );
  rounds.forEach((measured, round) => {
    measured.forEach(({ result, cpuPerRequestUs }, index) => {
      console.log(
        String(round + 1).padEnd(7) +
          targets[index].label.padEnd(32) +
          Math.round(result.requests.average).toLocaleString('en').padStart(10) +
          result.requests.total!.toLocaleString('en').padStart(11) +
          String(result.latency.p50).padStart(8) +
          String(result.latency.p99).padStart(8) +
          String(result.non2xx).padStart(9) +
          String(result.errors + result.timeouts).padStart(8) +
          (cpuPerRequestUs === undefined ? 'n/a' : Math.round(cpuPerRequestUs).toLocaleString('en')).padStart(12),
      );
    });
  });

  const authRuns = rounds.map(([auth]) => auth.result);
  const failed = (result: autocannon.Result): number => result.non2xx + result.errors + result.timeouts;
  const invalid = failed(authWarmUp) > 0 || authRuns.some((result) => failed(result) > 0);
  const sent = authWarmUp.requests.sent + authRuns.reduce((sum, result) => sum + result.requests.sent, 0);
  console.log('');
  console.log(
    `authenticated runs: ${authRuns.reduce((sum, result) => sum + result.non2xx, 0)} non-2xx responses, ` +
      `${authRuns.reduce((sum, result) => sum + result.errors + result.timeouts, 0)} errors and timeouts (${authWarmUp.non2xx} non-2xx in the warm-up); ` +
      `requests sent with the 50 keys: ${sent.toLocaleString('en')} of ${(KEY_COUNT * KEY_RATE_LIMIT_PER_HOUR).toLocaleString('en')} per hour`,
  );
  if (invalid) {
    const codes = authRuns
      .flatMap((result) => Object.entries(result.statusCodeStats))
      .map(([code, { count }]) => `${code}: ${count}`)
      .join(', ');
    console.log('');
    console.log('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    console.log(`!!! THE AUTHENTICATED RUNS HAD FAILED REQUESTS (status codes: ${codes})`);
    console.log('!!! Their requests/s do not measure authenticated requests: the figures below are INVALID.');
    console.log('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
  }
  rounds.forEach((measured, round) => {
    for (const index of [1, 2, 3]) {
      if (failed(measured[index].result) > 0) console.log(`WARNING: round ${round + 1}, ${targets[index].label} had failed requests: its figure is suspect`);
    }
  });

  const overLive = rounds.map(([auth, live]) => auth.result.requests.average / live.result.requests.average);
  const overBare = rounds.map(([auth, , bare]) => auth.result.requests.average / bare.result.requests.average);
  const verdict = (ratio: number, target: number): string => (invalid ? 'INVALID' : ratio >= target ? 'PASS' : 'MISS');
  const listed = (ratios: number[]): string => ratios.map((ratio) => ratio.toFixed(2)).join(' ');
  console.log('');
  console.log(`${''.padEnd(30)}${'median'.padStart(9)}   ${'target'.padEnd(10)}        per round`);
  console.log(`authenticated / live          ${median(overLive).toFixed(2).padStart(9)}   >= ${TARGETS.authOverLive.toFixed(2)}   ${verdict(median(overLive), TARGETS.authOverLive).padEnd(7)}   ${listed(overLive)}`);
  console.log(`authenticated / bare Fastify  ${median(overBare).toFixed(2).padStart(9)}   >= ${TARGETS.authOverBare.toFixed(2)}   ${verdict(median(overBare), TARGETS.authOverBare).padEnd(7)}   ${listed(overBare)}`);
  const overFloor = rounds.map(([auth, , , floor]) => auth.result.requests.average / floor.result.requests.average);
  const floorOverBare = rounds.map(([, , bare, floor]) => floor.result.requests.average / bare.result.requests.average);
  console.log(`authenticated / floor         ${median(overFloor).toFixed(2).padStart(9)}   (information)       ${listed(overFloor)}`);
  console.log(`floor / bare Fastify          ${median(floorOverBare).toFixed(2).padStart(9)}   (information)       ${listed(floorOverBare)}`);
  console.log(
    `service peak RSS (VmHWM)      ${formatMb(peakMb).padStart(9)}   <  ${TARGETS.peakRssMb} MB ` +
      `${peakMb === undefined ? 'n/a' : peakMb < TARGETS.peakRssMb ? 'PASS' : 'MISS'}   (RSS now ${formatMb(currentMb)})`,
  );
}

/** Starts `node -e script` on a free port of 127.0.0.1 and waits until it answers GET /api/me. */
async function startFastify(name: string, script: string, env: Record<string, string>, resources: Resources): Promise<{ url: string; child: Child }> {
  const port = await freePort();
  const child = startChild(name, ['-e', script], { PATH: process.env.PATH, BENCH_HOST: HOST, BENCH_PORT: String(port), ...env });
  resources.children.push(child);
  const url = `http://${HOST}:${port}`;
  await waitForOk(`${url}/api/me`, child, BARE_READY_TIMEOUT_MS);
  return { url, child };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The warm-up of one target: JIT, connection pools and caches settle before any round is measured. */
async function warmUp(target: Target): Promise<autocannon.Result> {
  process.stdout.write(`warming up ${target.url} ... `);
  const result = await runAutocannon(target, WARMUP_SECONDS);
  console.log('done');
  return result;
}

/**
 * One measured run, bounded in time, with the CPU time the answering process spent per request: on a shared
 * machine requests/s move with the neighbours' load, the CPU a request costs much less.
 */
async function measure(target: Target, round: string): Promise<Measured> {
  const started = Date.now();
  process.stdout.write(`${round}: measuring ${target.url} ... `);
  const cpuBefore = cpuSeconds(target.pid);
  const result = await runAutocannon(target, DURATION_SECONDS);
  const cpuAfter = cpuSeconds(target.pid);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const requests = result.requests.total!;
  const cpuPerRequestUs = cpuBefore === undefined || cpuAfter === undefined || requests === 0 ? undefined : ((cpuAfter - cpuBefore) * 1e6) / requests;
  return { result, cpuPerRequestUs };
}

function runAutocannon(target: Target, seconds: number): Promise<autocannon.Result> {
  const options: autocannon.Options = { url: target.url, connections: CONNECTIONS, pipelining: PIPELINING, duration: seconds, timeout: 10 };
  if (target.setupClient) options.setupClient = target.setupClient;
  return withTimeout(Promise.resolve(autocannon(options)), (seconds + 30) * 1000, `autocannon on ${target.url}`);
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

runBench('bench/auth', WATCHDOG_MS, run);
