import { randomBytes, randomUUID } from 'node:crypto';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { IntegrationHubClient, WebhookDto } from '../../sdk/dist';
import { dropDatabase, ensureDatabase } from '../../src/common/database/ensure-database';
import { mikroOrmOptions } from '../../src/common/database/mikro-orm.options';
import { DeliveryOutcomeRecorder } from '../../src/modules/webhooks/infrastructure/delivery-outcome-recorder';
import { WebhookMaintenanceProcessor } from '../../src/modules/webhooks/workers/webhook-maintenance.processor';
import { migrationsList } from '../../migrations';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const MIGRATION = 'Migration20261203090000_webhook_attempt_tenant';

/**
 * DESIGN.md: every row carries tenant_id and every query filters by the caller's tenant, the attempt log of
 * outgoing webhooks included. Attempts are written with their delivery's tenant, read only within the caller's,
 * and the migration that added the column filled it for the rows already there.
 */
describe('webhook delivery attempts carry and are read by their tenant', () => {
  let hub: TestApp;
  let receiver: WebhookReceiver;
  let a: { client: IntegrationHubClient; tenantId: string; webhook: WebhookDto };
  let b: { client: IntegrationHubClient; tenantId: string; webhook: WebhookDto };

  const db = () => hub.app.get(EntityManager).fork().getConnection();

  async function tenant(name: string, path: string) {
    const created = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name } });
    const client = hub.client(created.adminKey.key);
    await client.events.registerEventType({ requestBody: { name: 'ParcelSent' } });
    const webhook = await client.webhooks.createWebhook({ requestBody: { url: receiver.url + path, eventTypes: ['ParcelSent'] } });
    return { client, tenantId: created.tenant.id, webhook };
  }

  /** An attempt row written by hand, as no writer of the service would: for the reads' own tenant checks. */
  async function insertAttempt(row: { tenantId: string; deliveryId: string; webhookId: string; succeeded: boolean }): Promise<void> {
    await db().execute(
      `INSERT INTO webhook_delivery_attempt (tenant_id, delivery_id, webhook_id, attempt_number, attempted_at, duration_ms, status_code, succeeded)
       VALUES (?, ?, ?, 7, now(), 1, ?, ?)`,
      [row.tenantId, row.deliveryId, row.webhookId, row.succeeded ? 200 : 500, row.succeeded],
    );
  }

  async function deliveredDeliveryOf(client: IntegrationHubClient, webhookId: string, eventId: string) {
    return eventually(
      async () => {
        const page = await client.webhooks.listWebhookDeliveries({ id: webhookId, pageSize: 100 });
        const delivery = page.items.find((d) => d.eventId === eventId);
        expect(delivery?.status).toBe('Delivered');
        return delivery!;
      },
      15_000,
      100,
    );
  }

  beforeAll(async () => {
    hub = await startTestApp({ WEBHOOK_STATUS_FLUSH_MS: '5', OUTBOX_POLL_MS: '50' });
    receiver = await WebhookReceiver.start();
    a = await tenant('Attempts A', '/a');
    b = await tenant('Attempts B', '/b');
  });

  afterAll(async () => {
    await hub.close();
    await receiver.close();
  });

  it("writes every attempt with its delivery's tenant: published events and test sends", async () => {
    const event = await a.client.events.publishEvent({ requestBody: { eventType: 'ParcelSent', data: { parcel: 1 } } });
    const published = await deliveredDeliveryOf(a.client, a.webhook.id, event.id);
    const test = await a.client.webhooks.sendTestWebhook({ id: a.webhook.id });
    await eventually(async () => expect((await a.client.webhooks.getWebhookDelivery({ id: a.webhook.id, deliveryId: test.id })).status).toBe('Delivered'), 15_000, 100);

    const rows = await db().execute<Array<{ delivery_id: string; tenant_id: string; delivery_tenant_id: string }>>(
      `SELECT a.delivery_id, a.tenant_id, d.tenant_id AS delivery_tenant_id
         FROM webhook_delivery_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id WHERE a.delivery_id IN (?, ?) ORDER BY a.id`,
      [published.id, test.id],
    );
    expect(rows).toEqual([
      { delivery_id: published.id, tenant_id: a.tenantId, delivery_tenant_id: a.tenantId },
      { delivery_id: test.id, tenant_id: a.tenantId, delivery_tenant_id: a.tenantId },
    ]);
    // And the owner reads them.
    expect((await a.client.webhooks.getWebhookDelivery({ id: a.webhook.id, deliveryId: published.id })).attempts).toEqual([
      expect.objectContaining({ attemptNumber: 1, statusCode: 200, succeeded: true }),
    ]);
  });

  it("never shows another tenant's attempt: not in a delivery, not in a webhook's health, not in the sweep's rates", async () => {
    const event = await b.client.events.publishEvent({ requestBody: { eventType: 'ParcelSent', data: { parcel: 2 } } });
    const delivery = await deliveredDeliveryOf(b.client, b.webhook.id, event.id);
    const before = await b.client.webhooks.getWebhookHealth({ id: b.webhook.id });
    // Rows of tenant A that name B's delivery and B's webhook (the columns carry no tenant of their own).
    await insertAttempt({ tenantId: a.tenantId, deliveryId: delivery.id, webhookId: b.webhook.id, succeeded: false });
    await insertAttempt({ tenantId: a.tenantId, deliveryId: delivery.id, webhookId: b.webhook.id, succeeded: false });

    const read = await b.client.webhooks.getWebhookDelivery({ id: b.webhook.id, deliveryId: delivery.id });
    expect(read.attempts.map((attempt) => attempt.attemptNumber)).toEqual([1]);
    expect(await b.client.webhooks.getWebhookHealth({ id: b.webhook.id })).toMatchObject({
      attemptsLastHour: before.attemptsLastHour,
      failedLastHour: before.failedLastHour,
    });
    const rates = await hub.app.get(WebhookMaintenanceProcessor)['failureRatesLastHour']();
    expect(rates.find((rate) => rate.webhookId === b.webhook.id)).toEqual({ webhookId: b.webhook.id, attempts: before.attemptsLastHour, failed: before.failedLastHour });
  });

  it("records no outcome whose tenant is not its delivery's", async () => {
    const deliveryId = randomUUID();
    await db().execute(
      `INSERT INTO webhook_delivery (id, tenant_id, webhook_id, event_id, event_type, payload, status, scheduled_at, expires_at)
       VALUES (?, ?, ?, ?, 'ParcelSent', '{}', 'Pending', now(), now() + interval '1 day')`,
      [deliveryId, a.tenantId, a.webhook.id, randomUUID()],
    );
    await hub.app.get(DeliveryOutcomeRecorder).record({
      deliveryId,
      webhookId: a.webhook.id,
      tenantId: b.tenantId,
      previousAttemptCount: 0,
      attemptsInRound: 1,
      status: 'Delivered',
      attempt: { statusCode: 200, responseBody: null, error: null, durationMs: 1, attemptedAt: new Date() },
      errorMessage: null,
      nextRetryAt: null,
    });
    expect(await db().execute('SELECT status FROM webhook_delivery WHERE id = ?', [deliveryId])).toEqual([{ status: 'Pending' }]);
    expect(await db().execute('SELECT count(*)::int AS n FROM webhook_delivery_attempt WHERE delivery_id = ?', [deliveryId])).toEqual([{ n: 0 }]);
  });

  it('deletes the attempts of deliveries past retention with them', async () => {
    const [old, kept] = [randomUUID(), randomUUID()];
    for (const [id, age] of [[old, hub.config.webhooks.retentionDays + 1], [kept, 0]] as const) {
      await db().execute(
        `INSERT INTO webhook_delivery (id, tenant_id, webhook_id, event_id, event_type, payload, status, scheduled_at, expires_at)
         VALUES (?, ?, ?, ?, 'ParcelSent', '{}', 'Delivered', now() - make_interval(days => ?), now())`,
        [id, a.tenantId, a.webhook.id, randomUUID(), age],
      );
      await insertAttempt({ tenantId: a.tenantId, deliveryId: id, webhookId: a.webhook.id, succeeded: true });
    }
    expect((await hub.app.get(WebhookMaintenanceProcessor).cleanUp()).deliveries).toBeGreaterThanOrEqual(1);
    const left = await db().execute<Array<{ delivery_id: string }>>('SELECT delivery_id FROM webhook_delivery_attempt WHERE delivery_id IN (?, ?)', [old, kept]);
    expect(left).toEqual([{ delivery_id: kept }]);
  });

  describe('the migration, on a database with attempts', () => {
    const scratch: string[] = [];

    afterAll(async () => {
      for (const url of scratch) await dropDatabase(url);
    });

    /** A database of its own (named for the test run, so the teardown's safety check holds) at `target`. */
    async function databaseAt(target: string): Promise<{ url: string; orm: MikroORM; sql: Client }> {
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `${url.pathname}_attempts_${randomBytes(3).toString('hex')}`;
      scratch.push(url.toString());
      await ensureDatabase(url.toString());
      const orm = await MikroORM.init(
        mikroOrmOptions({ databaseUrl: url.toString() }, { entities: [], discovery: { warnWhenNoEntities: false }, logger: () => undefined }),
      );
      await orm.getMigrator().up({ to: target });
      const sql = new Client({ connectionString: url.toString() });
      await sql.connect();
      return { url: url.toString(), orm, sql };
    }

    /**
     * Two tenants with a webhook each, and `perTenant` deliveries of one attempt each, written as the code before
     * the migration did (no tenant_id).
     */
    async function seed(sql: Client, perTenant: number): Promise<void> {
      await sql.query(`
        INSERT INTO tenant (id, name) VALUES ('00000000-0000-4000-8000-00000000000a', 'A'), ('00000000-0000-4000-8000-00000000000b', 'B');
        INSERT INTO webhook (id, tenant_id, url, event_types, secret)
        SELECT ('00000000-0000-4000-8000-00000000010' || t)::uuid, ('00000000-0000-4000-8000-00000000000' || t)::uuid, 'https://example.com', '["X"]', 's'
          FROM unnest(ARRAY['a', 'b']) t;`);
      await sql.query(
        `INSERT INTO webhook_delivery (id, tenant_id, webhook_id, event_id, event_type, payload, status, scheduled_at, expires_at)
         SELECT gen_random_uuid(), w.tenant_id, w.id, gen_random_uuid(), 'X', '{}', 'Delivered', now() - i * interval '1 second', now()
           FROM webhook w CROSS JOIN generate_series(1, $1::int) i`,
        [perTenant],
      );
      await sql.query(`
        INSERT INTO webhook_delivery_attempt (delivery_id, webhook_id, attempt_number, attempted_at, duration_ms, succeeded)
        SELECT id, webhook_id, 1, scheduled_at, 1, true FROM webhook_delivery ORDER BY random()`);
    }

    async function schemaOf(sql: Client) {
      const [column] = (await sql.query("SELECT is_nullable FROM information_schema.columns WHERE table_name = 'webhook_delivery_attempt' AND column_name = 'tenant_id'")).rows;
      const indexes = (await sql.query("SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'webhook_delivery_attempt'::regclass ORDER BY 1")).rows;
      const leftovers = (
        await sql.query(`SELECT tgname AS name FROM pg_trigger WHERE tgname LIKE 'webhook_delivery_attempt_tenant%'
                         UNION ALL SELECT conname FROM pg_constraint WHERE conname LIKE 'webhook_delivery_attempt_tenant%'
                         UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE 'webhook_delivery_attempt_tenant%'`)
      ).rows;
      return { tenantId: column?.is_nullable ?? 'absent', indexes, leftovers };
    }

    const migrated = {
      tenantId: 'NO',
      indexes: [
        { name: 'webhook_delivery_attempt_delivery_idx', valid: true },
        { name: 'webhook_delivery_attempt_pkey', valid: true },
        { name: 'webhook_delivery_attempt_tenant_webhook_time_idx', valid: true },
      ],
      leftovers: [],
    };

    async function misattributed(sql: Client): Promise<{ total: number; wrong: number }> {
      const [row] = (
        await sql.query(`SELECT count(*)::int AS total, count(*) FILTER (WHERE a.tenant_id IS DISTINCT FROM d.tenant_id)::int AS wrong
                           FROM webhook_delivery_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id`)
      ).rows;
      return row as { total: number; wrong: number };
    }

    it('fills tenant_id in batches beside writers of the previous version, sets NOT NULL, and goes down and up again', async () => {
      const previous = migrationsList[migrationsList.findIndex((m) => m.name === MIGRATION) - 1].name;
      const { url, orm, sql } = await databaseAt(previous);
      try {
        await seed(sql, 12_500);
        // A writer of the previous version, inserting without tenant_id while the migration runs.
        let migrating = true;
        const written: string[] = [];
        const failures: string[] = [];
        const writer = (async () => {
          const old = new Client({ connectionString: url });
          await old.connect();
          try {
            while (migrating) {
              const inserted = await old
                .query(
                  `INSERT INTO webhook_delivery_attempt (delivery_id, webhook_id, attempt_number, attempted_at, duration_ms, succeeded)
                   SELECT id, webhook_id, 2, now(), 1, false FROM webhook_delivery ORDER BY random() LIMIT 1 RETURNING id::text`,
                )
                .then((result) => result.rows[0].id as string, (error: { code?: string }) => failures.push(error.code ?? 'unknown'));
              if (typeof inserted === 'string') written.push(inserted);
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
          } finally {
            await old.end();
          }
        })();
        await orm.getMigrator().up({ to: MIGRATION });
        migrating = false;
        await writer;

        expect(await schemaOf(sql)).toEqual(migrated);
        expect(await misattributed(sql)).toEqual({ total: 25_000 + written.length, wrong: 0 });
        expect(written.length).toBeGreaterThan(0);
        // Until the commit the trigger filled their tenant_id; from it on (NOT NULL) they fail, for no other reason.
        expect(failures.filter((code) => code !== '23502')).toEqual([]);
        await expect(
          sql.query(`INSERT INTO webhook_delivery_attempt (delivery_id, webhook_id, attempt_number, attempted_at, duration_ms, succeeded)
                     SELECT id, webhook_id, 3, now(), 1, true FROM webhook_delivery LIMIT 1`),
        ).rejects.toMatchObject({ code: '23502' });

        await orm.getMigrator().down({ to: MIGRATION });
        expect(await schemaOf(sql)).toEqual({
          tenantId: 'absent',
          indexes: [
            { name: 'webhook_delivery_attempt_delivery_idx', valid: true },
            { name: 'webhook_delivery_attempt_pkey', valid: true },
            { name: 'webhook_delivery_attempt_recent_idx', valid: true },
          ],
          leftovers: [],
        });
        await orm.getMigrator().up({ to: MIGRATION });
        expect(await schemaOf(sql)).toEqual(migrated);
        expect((await misattributed(sql)).wrong).toBe(0);
      } finally {
        await sql.end();
        await orm.close(true);
      }
    }, 60_000);

    it('fills the table inside the transaction when an earlier migration of the same run holds the deliveries', async () => {
      // Before the migration that alters webhook_delivery: the run that follows holds that table until it commits.
      const { orm, sql } = await databaseAt('Migration20261123183000_integration_list_index');
      try {
        await seed(sql, 500);
        await orm.getMigrator().up({ to: MIGRATION });
        expect(await schemaOf(sql)).toEqual(migrated);
        expect(await misattributed(sql)).toEqual({ total: 1000, wrong: 0 });
      } finally {
        await sql.end();
        await orm.close(true);
      }
    }, 60_000);
  });
});
