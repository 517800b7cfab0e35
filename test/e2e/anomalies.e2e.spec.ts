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
 * attempts, an integration's finished sync runs and health checks. The sweep runs at chosen times, an hour apart.
 * What it reads is written here in SQL, in the shape and at the moments the modules write it (the usage recorder's
 * count, the outcome recorder's attempts, the executor's finished runs, the health checks' count and running
 * average): thirteen hours of traffic through the real pipeline would make this spec run for hours.
 */
describe('anomaly detection', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  let admin: IntegrationHubClient;
  let other: IntegrationHubClient;
  let tenantId: string;
  let keyId: string;
  let webhookId: string;
  let crmId: string;
  let secondCrmId: string;
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

  /** A sync run of `integrationId` that finished at `at`, as the executor leaves it (PartialSuccess when records failed). */
  const syncRun = (integrationId: string, at: Date, processed: number, failed = 0) =>
    sql(
      `INSERT INTO data_sync_job (id, tenant_id, integration_id, sync_type, direction, status, records_total, records_processed, records_failed, started_at, completed_at, scheduled_at, created_at)
       VALUES (?, ?, ?, 'Contacts', 'Import', ?, ?, ?, ?, ?, ?, ?, ?)`,
      [randomUUID(), tenantId, integrationId, failed ? 'PartialSuccess' : 'Completed', processed + failed, processed, failed, new Date(at.getTime() - 60_000), at, at, at],
    );

  /** What twelve health checks leave on the integration: their count, and their running average response time. */
  const healthChecks = (averageMs: number) =>
    sql('UPDATE integration SET health_checks = health_checks + 12, average_response_time_ms = ? WHERE id = ?', [averageMs, crmId]);

  const createCrm = (name: string) =>
    admin.integrations.createIntegration({ requestBody: { name, integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: FAKE_CREDENTIALS.hubspotToken } } });

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
    crmId = (await createCrm('CRM')).id;
    secondCrmId = (await createCrm('Second CRM')).id;
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  it('learns each subject over 13 hours, then reports what lies far outside its baseline, once', async () => {
    // The second CRM already synced for 15 hours, the last run bringing nothing: its first sweep learns from that
    // history, and history is not news.
    for (let k = 0; k < 15; k++) await syncRun(secondCrmId, hour(0, (16 - k) * 60), k === 14 ? 0 : 990 + (k % 3) * 10);
    expect(await sweep(hour(0))).toMatchObject({ ran: true, anomalies: [] });

    // Hours 1–13 are ordinary: ~100 requests an hour, 1 in 20 attempts failing, ~1,000 records a run, health checks
    // answered in ~200 ms.
    for (let n = 1; n <= 13; n++) {
      await useKey(95 + (n % 3) * 5);
      await attempt(hour(n, 30), 20, 1);
      await syncRun(crmId, hour(n, 10), 980 + (n % 4) * 10);
      await syncRun(secondCrmId, hour(n, 10), 990 + (n % 3) * 10, n % 2);
      await healthChecks(190 + (n % 3) * 10);
      expect(await sweep(hour(n))).toMatchObject({ ran: true, anomalies: [] });
    }

    // Hour 14: a key used fifty times as much, a webhook failing 18 attempts in 20, a run that brought nothing, one
    // that read fifty times as much (nearly all of it failing), a provider answering its checks in 2.5 s.
    await useKey(5000);
    await attempt(hour(14, 30), 20, 18);
    await syncRun(crmId, hour(14, 10), 0);
    await syncRun(secondCrmId, hour(14, 10), 100, 50_000);
    await healthChecks(2500);
    const unusual = await sweep(hour(14));
    expect(unusual.anomalies).toHaveLength(5);

    const { items, total } = await admin.anomalies.listAnomalies({});
    expect(total).toBe(5);
    const of = (metric: string, subjectId: string) => items.find((a) => a.metric === metric && a.subjectId === subjectId);
    const usage = of('ApiKeyRequestsPerHour', keyId)!;
    expect(usage).toMatchObject({ subjectType: 'api_key', dimension: null, observed: 5000, baselineSamples: 13 });
    expect(usage.expected).toBeGreaterThan(95);
    expect(usage.expected).toBeLessThan(105);
    expect(of('WebhookFailureRate', webhookId)).toMatchObject({ subjectType: 'webhook', observed: 90, expected: 5 });
    const nothing = of('SyncRecordsPerRun', crmId)!;
    expect(nothing).toMatchObject({ subjectType: 'integration', dimension: 'Contacts/Import', observed: 0 });
    expect(nothing.zScore).toBeLessThan(-4);
    expect(of('SyncRecordsPerRun', secondCrmId)).toMatchObject({ observed: 50_100, baselineSamples: 28 });
    const slow = of('IntegrationResponseTime', crmId)!;
    expect(slow).toMatchObject({ subjectType: 'integration', dimension: null, observed: 2500 });
    expect(slow.expected).toBeGreaterThan(190);
    expect(slow.expected).toBeLessThan(210);
    expect(items.map((a) => a.id).sort()).toEqual([...unusual.anomalies].sort());

    // Announced like every domain event: in the audit trail, and in the outbox the webhook fan-out reads.
    const audited = await admin.audit.listAuditEntries({ action: 'AnomalyDetected' });
    expect(audited.items.map((entry) => entry.resourceId).sort()).toEqual([...unusual.anomalies].sort());
    const outbox = await sql<{ aggregate_id: string }>("SELECT aggregate_id FROM outbox_message WHERE event_type = 'AnomalyDetected' AND tenant_id = ?", [tenantId]);
    expect(outbox.map((row) => row.aggregate_id).sort()).toEqual([...unusual.anomalies].sort());

    // A sweep right after sees no new window (and no new health check): nothing compared, nothing reported twice.
    expect(await sweep(hour(14, -1))).toEqual({ ran: true, compared: 0, anomalies: [] });
    expect((await admin.anomalies.listAnomalies({ metric: 'SyncRecordsPerRun' })).total).toBe(2);
  });

  it('runs one sweep at a time: one started while another holds the baselines does nothing', async () => {
    const holder = await app.app.get(EntityManager).getConnection().getKnex().transaction();
    try {
      await holder.raw("SELECT pg_advisory_xact_lock(hashtext('detect-anomalies'))");
      expect(await sweep(hour(15))).toEqual({ ran: false, compared: 0, anomalies: [] });
    } finally {
      await holder.rollback();
    }
    expect(await sweep(hour(15))).toMatchObject({ ran: true });
  });

  it('shows a tenant only its own anomalies, and names a bad filter', async () => {
    expect((await other.anomalies.listAnomalies({})).total).toBe(0);
    const refused = await other.anomalies.listAnomalies({ metric: 'Nope' as never }).catch((error: ApiError) => error);
    expect(refused).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'metric' })] } });
  });
});
