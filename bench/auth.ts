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
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { call, cpuSeconds, currentRssMb, formatMb, freePort, HOST, peakRssMb, Resources, runBench, startChild, startService, waitForOk, withTimeout } from './support/bench-service';

const CONNECTIONS = 50;
const PIPELINING = 1;
const WARMUP_SECONDS = 2;
const DURATION_SECONDS = 5;
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

interface Measured {
  label: string;
  result: autocannon.Result;
  /** CPU (user + system) the answering process used per request, warm-up included, in µs. */
  cpuPerRequestUs: number | undefined;
}

async function run(resources: Resources): Promise<void> {
  console.log(
    `bench/auth: autocannon, ${CONNECTIONS} connections, pipelining ${PIPELINING}, ` +
      `${WARMUP_SECONDS} s warm-up + ${DURATION_SECONDS} s measured per run, all on ${HOST}`,
  );

  const { url: service, pid, bootstrapKey, child } = await startService(resources, { PROCESS_ROLE: 'api' });
  const barePort = await freePort();

  const keys = await createKeys(service, bootstrapKey);
  console.log(`keys: ${keys.length} made with the bootstrap key, ${KEY_RATE_LIMIT_PER_HOUR.toLocaleString('en')} requests/hour each, one per connection`);

  const me = await call('GET', `${service}/api/me`, { apiKey: keys[0] });
  if (me.status !== 200) throw new Error(`GET /api/me answered ${me.status}: ${me.text}`);
  const live = await call('GET', `${service}/health/live`);
  if (live.status !== 200) throw new Error(`GET /health/live answered ${live.status}: ${live.text}`);
  console.log(`GET /api/me answers (${Buffer.byteLength(me.text)} bytes): ${me.text}`);

  const fastifyPath = require.resolve('fastify', { paths: [dirname(require.resolve('@nestjs/platform-fastify'))] });
  const fastifyVersion = (JSON.parse(readFileSync(join(dirname(fastifyPath), 'package.json'), 'utf8')) as { version: string }).version;
  const bareChild = startChild('bare Fastify', ['-e', BARE_FASTIFY_SCRIPT], {
    PATH: process.env.PATH,
    BENCH_FASTIFY_PATH: fastifyPath,
    BENCH_BODY: me.text,
    BENCH_HOST: HOST,
    BENCH_PORT: String(barePort),
  });
  resources.children.push(bareChild);
  const bare = `http://${HOST}:${barePort}`;
  await waitForOk(`${bare}/api/me`, bareChild, BARE_READY_TIMEOUT_MS);
  const bareBody = await call('GET', `${bare}/api/me`);
  console.log(
    `bare Fastify ${fastifyVersion} (the one @nestjs/platform-fastify uses): pid ${bareChild.process.pid}, ${bare}` +
      (bareBody.text === me.text ? ', same body' : `, DIFFERENT body: ${bareBody.text}`),
  );

  let next = 0;
  const runs: Measured[] = [];
  runs.push({
    label: '(a) GET /api/me, X-API-Key',
    ...(await measure(`${service}/api/me`, pid, (client) => client.setHeaders({ 'x-api-key': keys[next++ % keys.length] }))),
  });
  runs.push({ label: '(b) GET /health/live', ...(await measure(`${service}/health/live`, pid)) });
  runs.push({ label: '(c) bare Fastify GET /api/me', ...(await measure(`${bare}/api/me`, bareChild.process.pid!)) });

  const peakMb = peakRssMb(pid);
  const currentMb = currentRssMb(pid);
  if (child.hasExited()) throw new Error(`the service exited during the runs; its output:\n${child.output()}`);

  report(runs, peakMb, currentMb);
}

function report(runs: Measured[], peakMb: number | undefined, currentMb: number | undefined): void {
  const [auth, live, bare] = runs.map((run) => run.result);
  console.log('');
  console.log(
    `${'run'.padEnd(32)}${'req/s'.padStart(10)}${'requests'.padStart(11)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'non-2xx'.padStart(9)}${'errors'.padStart(8)}` +
      'CPU µs/req'.padStart(12),
  );
  for (const { label, result, cpuPerRequestUs } of runs) {
    console.log(
      label.padEnd(32) +
        Math.round(result.requests.average).toLocaleString('en').padStart(10) +
        result.requests.total!.toLocaleString('en').padStart(11) +
        String(result.latency.p50).padStart(8) +
        String(result.latency.p99).padStart(8) +
        String(result.non2xx).padStart(9) +
        String(result.errors + result.timeouts).padStart(8) +
        (cpuPerRequestUs === undefined ? 'n/a' : Math.round(cpuPerRequestUs).toLocaleString('en')).padStart(12),
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

/**
 * One autocannon run (warm-up, then the measured part), bounded in time, with the CPU time the answering process
 * (`pid`) spent per request over both parts: on a shared machine requests/s move with the neighbours' load, the
 * CPU a request costs much less.
 */
async function measure(url: string, pid: number, setupClient?: (client: autocannon.Client) => void): Promise<Omit<Measured, 'label'>> {
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
  const cpuBefore = cpuSeconds(pid);
  const result = await withTimeout(Promise.resolve(autocannon(options)), (WARMUP_SECONDS + DURATION_SECONDS + 30) * 1000, `autocannon on ${url}`);
  const cpuAfter = cpuSeconds(pid);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const requests = result.requests.total! + (result.warmup?.requests.total ?? 0);
  const cpuPerRequestUs = cpuBefore === undefined || cpuAfter === undefined || requests === 0 ? undefined : ((cpuAfter - cpuBefore) * 1e6) / requests;
  return { result, cpuPerRequestUs };
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
