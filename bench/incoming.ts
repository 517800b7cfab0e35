// ts-node compiles only the files it is given and their imports, so it needs this to see the autocannon typings.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./autocannon.d.ts" />
/**
 * bench/incoming: verified Stripe-signed callbacks accepted (verified, stored durably with their event,
 * acknowledged) per second, against the same server's GET /health/live in the same run. `npm run bench:incoming`
 * (add `--no-build` when dist/ is current).
 *
 * Every request carries a new Stripe event (its own id, so none is a duplicate) signed like Stripe does,
 * `t=<now>,v1=HMAC-SHA256("{t}.{body}")`. After the run the stored rows are counted, so the figure is of
 * durable writes, not of answers. As in production, the API and the worker are separate processes; on this
 * two-core machine they would share the cores, so the worker starts after the measured window and its drain of
 * the backlog is timed apart: acceptance (API) and processing (worker) scale separately. Targets (acceptance):
 * at least 10% of /health/live and at least 3,000 per second; peak resident memory of both processes printed.
 * Figures only: exits 0 whatever they are. Everything goes to 127.0.0.1.
 */
import { createHmac, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { call, formatMb, peakRssMb, Resources, runBench, startService, startWorker, withTimeout } from './support/bench-service';

const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const DURATION_SECONDS = 8;
const WATCHDOG_MS = 5 * 60_000;
/** The longest the bench waits for the worker to process the backlog. */
const DRAIN_TIMEOUT_MS = 150_000;
const TARGETS = { overLive: 0.1, perSecond: 3000 };
const WEBHOOK_SECRET = `whsec_bench${randomUUID().replace(/-/g, '')}`;

async function run(resources: Resources): Promise<void> {
  console.log(`bench/incoming: autocannon, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${DURATION_SECONDS} s measured per run`);
  const service = await startService(resources, { INCOMING_WEBHOOKS_SETTINGS_CACHE_MS: '5000', PROCESS_ROLE: 'api' });
  const { url, pid, bootstrapKey } = service;

  const created = await call('POST', `${url}/api/integrations`, {
    apiKey: bootstrapKey,
    json: { name: 'Bench Stripe', integrationType: 'PaymentGateway', provider: 'Stripe', configuration: { apiKey: 'sk_test_bench', webhookSecret: WEBHOOK_SECRET } },
  });
  if (created.status !== 201) throw new Error(`POST /api/integrations answered ${created.status}: ${created.text}`);
  const integrationId = (JSON.parse(created.text) as { id: string }).id;
  const path = `/api/webhooks/incoming/${integrationId}`;

  const probe = signedDelivery();
  const first = await fetch(url + path, { method: 'POST', headers: probe.headers, body: probe.body });
  if (first.status !== 200) throw new Error(`a signed delivery answered ${first.status}: ${await first.text()}`);

  const incoming = await measure(`${url}${path}`, [{ method: 'POST', path, setupRequest: (request) => ({ ...request, ...signedDelivery() }) }]);
  const live = await measure(`${url}/health/live`);
  const { stored } = await countStored(resources.database, integrationId);
  const peakMb = peakRssMb(pid);

  const worker = startWorker(resources, service);
  const drainStarted = Date.now();
  let processed = 0;
  while (processed < stored && Date.now() - drainStarted < DRAIN_TIMEOUT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    processed = (await countStored(resources.database, integrationId)).processed;
  }
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  const workerPeakMb = peakRssMb(worker.process.pid!);

  const accepted = incoming['2xx'];
  const perSecond = incoming.requests.average;
  const ratio = perSecond / live.requests.average;
  console.log('');
  console.log(`accepted deliveries      ${Math.round(perSecond).toLocaleString('en').padStart(8)} /s   p99 ${incoming.latency.p99} ms   non-2xx ${incoming.non2xx}   errors ${incoming.errors + incoming.timeouts}`);
  console.log(`GET /health/live         ${Math.round(live.requests.average).toLocaleString('en').padStart(8)} /s   p99 ${live.latency.p99} ms`);
  console.log(`stored rows ${stored.toLocaleString('en')} for ${(accepted + (incoming.warmup?.['2xx'] ?? 0) + 1).toLocaleString('en')} acknowledged deliveries (warm-up and probe included)`);
  console.log(
    `worker (started after): processed ${processed.toLocaleString('en')} of ${stored.toLocaleString('en')} in ${drainSeconds.toFixed(1)} s ` +
      `(${Math.round(processed / drainSeconds).toLocaleString('en')}/s, worker start-up included)`,
  );
  console.log('');
  console.log(`accepted / live          ${ratio.toFixed(2).padStart(8)}      target >= ${TARGETS.overLive}    ${ratio >= TARGETS.overLive ? 'PASS' : 'MISS'}`);
  console.log(`accepted per second      ${Math.round(perSecond).toLocaleString('en').padStart(8)}      target >= ${TARGETS.perSecond}   ${perSecond >= TARGETS.perSecond ? 'PASS' : 'MISS'}`);
  console.log(`peak RSS                 API ${formatMb(peakMb)}, worker ${formatMb(workerPeakMb)}`);
}

/** A new Stripe event, signed the way Stripe signs (`t=…,v1=…`), as autocannon request parameters. */
function signedDelivery(): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify({ id: `evt_${randomUUID().replace(/-/g, '')}`, object: 'event', type: 'charge.refunded', data: { object: { amount: 500, currency: 'usd' } } });
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${body}`).digest('hex');
  return { headers: { 'content-type': 'application/json', 'stripe-signature': `t=${timestamp},v1=${signature}` }, body };
}

async function measure(url: string, requests?: autocannon.Options['requests']): Promise<autocannon.Result> {
  process.stdout.write(`measuring ${url} ... `);
  const options: autocannon.Options = { url, connections: CONNECTIONS, duration: DURATION_SECONDS, timeout: 10, warmup: { connections: CONNECTIONS, duration: WARMUP_SECONDS } };
  if (requests) options.requests = requests;
  const result = await withTimeout(Promise.resolve(autocannon(options)), (WARMUP_SECONDS + DURATION_SECONDS + 30) * 1000, `autocannon on ${url}`);
  console.log('done');
  return result;
}

async function countStored(database: string, integrationId: string): Promise<{ stored: number; processed: number }> {
  const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });
  await client.connect();
  try {
    const { rows } = await client.query<{ stored: string; processed: string }>(
      `SELECT count(*) AS stored, count(*) FILTER (WHERE status = 'Processed') AS processed FROM inbound_webhook_event WHERE integration_id = $1`,
      [integrationId],
    );
    return { stored: Number(rows[0].stored), processed: Number(rows[0].processed) };
  } finally {
    await client.end();
  }
}

runBench('bench/incoming', WATCHDOG_MS, run);
