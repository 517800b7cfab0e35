import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import type { ApiError, IntegrationHubClient } from '../../sdk/dist';
import { AnomalySweep, DetectAnomaliesCommand } from '../../src/modules/anomalies/commands/detect-anomalies/detect-anomalies.command';
import { FAKE_CREDENTIALS } from '../support/fake-providers';
import { startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const HOUR = 3_600_000;

/**
 * Anomaly detection (§10.1–10.2, §12.3) over what the other modules record: an API key's usage count, a webhook's
 * attempts, an integration's completed sync runs and health checks. The sweep runs at chosen times, an hour apart;
 * the records it reads are written as the modules write them (the usage recorder's count, the outcome recorder's
 * attempts, the executor's finished runs, the health checks' count and running average), at times inside each hour.
 */
describe('anomaly detection', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  let admin: IntegrationHubClient;
  let other: IntegrationHubClient;
  let tenantId: string;
  let keyId: string;
  let webhookId: string;
  let integrationId: string;
  const start = new Date(Date.now() + HOUR);
  const hour = (n: number, minutesBefore = 0) => new Date(start.getTime() + n * HOUR - minutesBefore * 60_000);

  const sql = <T = unknown>(query: string, params: unknown[] = []) => app.app.get(EntityManager).fork().getConnection().execute<T[]>(query, params);
  const sweep = (at: Date): Promise<AnomalySweep> => app.app.get(CommandBus).execute(new DetectAnomaliesCommand(at));

  /** What the usage recorder adds for `requests` requests of the key. */
  const useKey = (requests: number) => sql('UPDATE api_key SET usage_count = usage_count + ? WHERE id = ?', [requests, keyId]);

  /** One delivery of `attempts` attempts, `failed` of them failed, as the outcome recorder writes them. */
  async function attempt(at: Date, attempts: number, failed: number): Promise<void> {
    const deliveryId = randomUUID();
    await sql(
      `INSERT INTO webhook_delivery (id, tenant_id, webhook_id, event_id, event_type, payload, status, attempt_count, scheduled_at, expires_at)
       VALUES (?, ?, ?, ?, 'AnomalyDetected', '{}', 'Retrying', ?, ?, ?)`,
      [deliveryId, tenantId, webhookId, randomUUID(), attempts, at, new Date(at.getTime() + 24 * HOUR)],
    );
    for (let n = 1; n <= attempts; n++) {
      const succeeded = n > failed;
      await sql(
        `INSERT INTO webhook_delivery_attempt (tenant_id, delivery_id, webhook_id, attempt_number, attempted_at, duration_ms, status_code, succeeded)
         VALUES (?, ?, ?, ?, ?, 12, ?, ?)`,
        [tenantId, deliveryId, webhookId, n, at, succeeded ? 200 : 500, succeeded],
      );
    }
  }

  /** A sync run that completed at `at` having processed `records`, as the executor leaves it. */
  const syncRun = (at: Date, records: number) =>
    sql(
      `INSERT INTO data_sync_job (id, tenant_id, integration_id, sync_type, direction, status, records_total, records_processed, started_at, completed_at, scheduled_at, created_at)
       VALUES (?, ?, ?, 'Contacts', 'Import', 'Completed', ?, ?, ?, ?, ?, ?)`,
      [randomUUID(), tenantId, integrationId, records, records, new Date(at.getTime() - 60_000), at, at, at],
    );

  /** What twelve health checks leave on the integration: their count, and their running average response time. */
  const healthChecks = (averageMs: number) =>
    sql('UPDATE integration SET health_checks = health_checks + 12, average_response_time_ms = ? WHERE id = ?', [averageMs, integrationId]);

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await startTestApp({ PROCESS_ROLE: 'api', ANOMALY_BASELINE_SAMPLES: '24', ANOMALY_MIN_SAMPLES: '12', ANOMALY_Z_THRESHOLD: '4' });
    const platform = app.client(app.bootstrapKey);
    const tenant = await platform.tenants.createTenant({ requestBody: { name: 'Watched' } });
    tenantId = tenant.tenant.id;
    admin = app.client(tenant.adminKey.key);
    other = app.client((await platform.tenants.createTenant({ requestBody: { name: 'Bystander' } })).adminKey.key);
    keyId = (await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'reporting', scopes: ['integration:read'] } })).id;
    webhookId = (await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/alerts`, eventTypes: ['AnomalyDetected'] } })).id;
    integrationId = (
      await admin.integrations.createIntegration({
        requestBody: { name: 'CRM', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } },
      })
    ).id;
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  it('learns each subject over 13 hours, then reports what lies far outside its baseline, once', async () => {
    // Hour 0 only records where the key's count stands; hours 1–13 are ordinary: ~100 requests an hour, 1 in 20
    // attempts failing, ~1,000 records a run, health checks answered in ~200 ms.
    await sweep(hour(0));
    for (let n = 1; n <= 13; n++) {
      await useKey(95 + (n % 3) * 5);
      await attempt(hour(n, 30), 20, 1);
      await syncRun(hour(n, 10), 980 + (n % 4) * 10);
      await healthChecks(190 + (n % 3) * 10);
      const ordinary = await sweep(hour(n));
      expect(ordinary).toMatchObject({ ran: true, anomalies: [] });
    }

    // Hour 14: a key used fifty times as much, a webhook failing 18 attempts in 20, a run that brought nothing, a
    // provider answering its checks in 2.5 s.
    await useKey(5000);
    await attempt(hour(14, 30), 20, 18);
    await syncRun(hour(14, 10), 0);
    await healthChecks(2500);
    const unusual = await sweep(hour(14));
    expect(unusual.anomalies).toHaveLength(4);

    const { items, total } = await admin.anomalies.listAnomalies({});
    expect(total).toBe(4);
    const byMetric = Object.fromEntries(items.map((a) => [a.metric, a]));
    expect(byMetric.ApiKeyRequestsPerHour).toMatchObject({ subjectType: 'api_key', subjectId: keyId, dimension: null, observed: 5000, baselineSamples: 13 });
    expect(byMetric.ApiKeyRequestsPerHour.expected).toBeGreaterThan(95);
    expect(byMetric.ApiKeyRequestsPerHour.expected).toBeLessThan(105);
    expect(byMetric.WebhookFailureRate).toMatchObject({ subjectType: 'webhook', subjectId: webhookId, observed: 90, expected: 5 });
    expect(byMetric.SyncRecordsPerRun).toMatchObject({ subjectType: 'integration', subjectId: integrationId, dimension: 'Contacts/Import', observed: 0 });
    expect(byMetric.SyncRecordsPerRun.zScore).toBeLessThan(-4);
    expect(byMetric.IntegrationResponseTime).toMatchObject({ subjectType: 'integration', subjectId: integrationId, dimension: null, observed: 2500 });
    expect(byMetric.IntegrationResponseTime.expected).toBeGreaterThan(190);
    expect(byMetric.IntegrationResponseTime.expected).toBeLessThan(210);
    expect(items.map((a) => a.id).sort()).toEqual([...unusual.anomalies].sort());

    // Announced like every domain event: in the audit trail and the outbox (so to webhooks subscribed to it).
    const audited = await admin.audit.listAuditEntries({ action: 'AnomalyDetected' });
    expect(audited.items.map((entry) => entry.resourceId).sort()).toEqual([...unusual.anomalies].sort());
    const outbox = await sql<{ aggregate_id: string }>("SELECT aggregate_id FROM outbox_message WHERE event_type = 'AnomalyDetected' AND tenant_id = ?", [tenantId]);
    expect(outbox.map((row) => row.aggregate_id).sort()).toEqual([...unusual.anomalies].sort());

    // A sweep right after sees no new window (and no new health check): nothing compared, nothing reported twice.
    expect(await sweep(hour(14, -1))).toEqual({ ran: true, compared: 0, anomalies: [] });
    expect((await admin.anomalies.listAnomalies({ metric: 'SyncRecordsPerRun' })).items).toHaveLength(1);
  });

  it("shows a tenant only its own anomalies, and names a bad filter", async () => {
    expect((await other.anomalies.listAnomalies({})).total).toBe(0);
    const refused = await other.anomalies.listAnomalies({ metric: 'Nope' as never }).catch((error: ApiError) => error);
    expect(refused).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'metric' })] } });
  });
});
