import { EntityManager } from '@mikro-orm/postgresql';
import type { INestApplicationContext } from '@nestjs/common';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { IntegrationHubClient } from '../../sdk/dist';
import { createWorker } from '../../src/bootstrap';
import { loadConfig } from '../../src/common/config/app-config';
import { pgArray } from '../../src/common/database/pg-array';
import { DomainEventDispatcher } from '../../src/common/events/domain-event-dispatcher';
import { WebhookMaintenanceProcessor } from '../../src/modules/webhooks/workers/webhook-maintenance.processor';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { answer, WebhookReceiver } from '../support/webhook-receiver';

interface OutboxState {
  id: string;
  relay_job_id: string | null;
  published_at: string | null;
  processed_at: string | null;
}

/**
 * OUTBOX_REACT_IN_RELAY (the default): an event whose only reaction is the webhook fan-out is fanned out by the relay
 * itself, in the transaction that marks it published and processed, and its deliveries are queued once that commits.
 * When the reactions fail there, the event goes through Bull after all.
 */
describe('reactions run by the outbox relay', () => {
  let api: TestApp;
  let worker: INestApplicationContext;
  let receiver: WebhookReceiver;
  let admin: IntegrationHubClient;
  let secret: string;

  const db = () => api.app.get(EntityManager).fork().getConnection();
  const outboxOf = (ids: string[]) =>
    db().execute<OutboxState[]>(
      'SELECT id, relay_job_id, published_at::text AS published_at, processed_at::text AS processed_at FROM outbox_message WHERE id = ANY(?::uuid[]) ORDER BY seq',
      [pgArray(ids)],
    );
  const pending = async () => Number((await db().execute<Array<{ n: string }>>('SELECT count(*) AS n FROM outbox_message WHERE processed_at IS NULL'))[0].n);
  /** The events the receiver got, verified as Standard Webhooks, one entry per request. */
  const received = () => receiver.events('/crates').map((request) => (new StandardWebhook(secret).verify(request.body, request.headers) as { data: { crate: string } }).data.crate);

  async function publish(...crates: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const crate of crates) ids.push((await admin.events.publishEvent({ requestBody: { eventType: 'CrateLoaded', data: { crate } } })).id);
    return ids;
  }

  beforeAll(async () => {
    api = await startTestApp({ PROCESS_ROLE: 'api' });
    receiver = await WebhookReceiver.start();
    receiver.on('/crates', answer(200));
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Relay reactions' } });
    admin = api.client(tenant.adminKey.key);
    await admin.events.registerEventType({ requestBody: { name: 'CrateLoaded' } });
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/crates`, eventTypes: ['CrateLoaded'] } });
    secret = (await admin.webhooks.getWebhookSecret({ id: webhook.id })).secret;
    // The webhook sweep runs only when a test calls it, and takes any delivery without a live job at once.
    worker = await createWorker(
      loadConfig({ ...process.env, OUTBOX_POLL_MS: '50', WEBHOOK_STATUS_FLUSH_MS: '5', WEBHOOK_SWEEP_CRON: '0 0 1 1 *', WEBHOOK_REQUEUE_AFTER_MS: '0' }, () => undefined),
    );
    await eventually(async () => expect(await pending()).toBe(0), 15_000, 50);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await worker?.close();
    await api?.close();
    await receiver?.close();
  });

  it('fans an event out in the commit that marks it processed, with no Bull job, and delivers it', async () => {
    const ids = await publish('c-1', 'c-2', 'c-3');
    await eventually(async () => expect(received().sort()).toEqual(['c-1', 'c-2', 'c-3']), 15_000, 50);
    const rows = await outboxOf(ids);
    // No job was named, and both marks come from one statement: the fan-out committed with them.
    expect(rows.map((row) => row.relay_job_id)).toEqual([null, null, null]);
    for (const row of rows) expect(row.processed_at).toBe(row.published_at);
    expect(rows.every((row) => row.processed_at !== null)).toBe(true);
  });

  it('sends the events through Bull when their reactions fail in the relay, keeping none of what they wrote there', async () => {
    const dispatcher = worker.get(DomainEventDispatcher);
    const reactInRelay = dispatcher.reactInRelay.bind(dispatcher);
    // The fan-out writes its deliveries, then the pass fails: the savepoint drops them, and nothing is queued.
    jest.spyOn(dispatcher, 'reactInRelay').mockImplementationOnce(async (em, events) => {
      await reactInRelay(em, events);
      throw new Error('the relay reactions failed after writing');
    });
    const [id] = await publish('c-4');
    await eventually(async () => expect(received()).toContain('c-4'), 15_000, 50);
    const [row] = await outboxOf([id]);
    expect(row.relay_job_id).toBe(id);
    await eventually(async () => expect((await outboxOf([id]))[0].processed_at).not.toBeNull(), 15_000, 50);
    // Delivered at once, and once: had the failed pass kept its deliveries, the job's fan-out would have found them
    // written, queued nothing, and left them to the sweep minutes later.
    expect(received().filter((crate) => crate === 'c-4')).toHaveLength(1);
  });
  it('when queueing after the commit fails, leaves those deliveries to the sweep and sends events through Bull until it works', async () => {
    const dispatcher = worker.get(DomainEventDispatcher);
    const reactInRelay = dispatcher.reactInRelay.bind(dispatcher);
    // The pass commits the deliveries, then Redis refuses to queue them.
    jest.spyOn(dispatcher, 'reactInRelay').mockImplementationOnce(async (em, events) => {
      await reactInRelay(em, events);
      return [() => Promise.reject(new Error('Redis refused'))];
    });
    const [stranded] = await publish('c-5');
    await eventually(async () => expect((await outboxOf([stranded]))[0]).toMatchObject({ relay_job_id: null, processed_at: expect.any(String) }), 15_000, 50);
    // The next pass goes through Bull, inside its transaction (had Redis still refused, it would have rolled back)...
    const [throughBull] = await publish('c-6');
    await eventually(async () => expect((await outboxOf([throughBull]))[0].relay_job_id).toBe(throughBull), 15_000, 50);
    // ...and once that worked, the relay runs the reactions itself again.
    const [again] = await publish('c-7');
    await eventually(async () => expect((await outboxOf([again]))[0]).toMatchObject({ relay_job_id: null, processed_at: expect.any(String) }), 15_000, 50);
    await eventually(async () => expect(received()).toEqual(expect.arrayContaining(['c-6', 'c-7'])), 15_000, 50);
    // The stranded delivery waits Pending in PostgreSQL, with no job, until the sweep queues it.
    expect(received()).not.toContain('c-5');
    expect(await worker.get(WebhookMaintenanceProcessor).requeueLostDeliveries()).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect(received().filter((crate) => crate === 'c-5')).toHaveLength(1), 15_000, 50);
  });
});
