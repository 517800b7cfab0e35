import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { createWorker } from '../../src/bootstrap';
import { loadConfig } from '../../src/common/config/app-config';
import { systemActor } from '../../src/common/cqrs/actor';
import { metricsRegistry } from '../../src/common/metrics/metrics';
import { WorkerMetricsServer } from '../../src/common/metrics/worker-metrics-server';
import { CreateTenantCommand } from '../../src/modules/tenants/commands/create-tenant/create-tenant.command';
import { DEFAULT_TENANT_ID } from '../../src/modules/tenants/domain/tenant.entity';
import { eventually } from '../support/test-app';

/**
 * A worker alone (PROCESS_ROLE=worker) has no API, so it serves its own /metrics: what only workers count (here
 * the outbox relay) must be scrapable from it, and the listener must go away with the worker.
 */
describe("a worker's metrics listener", () => {
  let worker: INestApplicationContext | undefined;
  let baseUrl: string;

  beforeAll(async () => {
    worker = await createWorker(loadConfig({ ...process.env, PROCESS_ROLE: 'worker', WORKER_METRICS_PORT: '0', OUTBOX_POLL_MS: '50' }, () => undefined));
    const address = worker.get(WorkerMetricsServer).address();
    if (!address) throw new Error('the worker is not listening for scrapes');
    baseUrl = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await worker?.close();
  });

  it('serves what the worker counts, and the process metrics, in the API’s format', async () => {
    const name = `Scraped ${Date.now()}`;
    // The tenant's event reaches the outbox with its commit; only the worker's relay counts it as relayed.
    await worker!.get(CommandBus).execute(new CreateTenantCommand(systemActor(DEFAULT_TENANT_ID, ['platform:admin']), name, { maxActiveApiKeys: null, maxWebhooks: null }));

    const scrape = await eventually(async () => {
      const response = await fetch(`${baseUrl}/metrics`);
      const text = await response.text();
      expect(text).toMatch(/^outbox_events_relayed_total\{event_type="TenantCreated",path="relay"\} [1-9]/m);
      return { response, text };
    }, 10_000, 50);
    expect(scrape.response.status).toBe(200);
    expect(scrape.response.headers.get('content-type')).toBe(metricsRegistry.contentType);
    expect(scrape.text).toContain('# TYPE webhook_deliveries_total counter');
    expect(scrape.text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(scrape.text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(scrape.text).not.toContain(process.env.BOOTSTRAP_API_KEY!);
  });

  it('answers liveness, and 404 to any other path', async () => {
    const live = await fetch(`${baseUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/me`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('closes the listener when the worker closes', async () => {
    const server = worker!.get(WorkerMetricsServer);
    await worker!.close();
    worker = undefined;
    expect(server.address()).toBeUndefined();
    await expect(fetch(`${baseUrl}/health/live`)).rejects.toThrow();
  });
});
