import { EntityManager } from '@mikro-orm/postgresql';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { IntegrationHubClient } from '../../sdk/dist';
import { errorOf, eventually, startTestApp, TestApp } from '../support/test-app';
import { WEBHOOK_DELIVERIES_QUEUE } from '../../src/modules/webhooks/infrastructure/delivery-queue';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Outgoing webhooks under concurrent calls and odd input: what two callers at once must not break, and what a
 * null must not reach. Receivers on 127.0.0.1; every signature checked with the `standardwebhooks` package.
 */
describe('outgoing webhooks under concurrent calls', () => {
  let hub: TestApp;
  let receiver: WebhookReceiver;
  let admin: IntegrationHubClient;

  beforeAll(async () => {
    hub = await startTestApp({ WEBHOOK_STATUS_FLUSH_MS: '5', OUTBOX_POLL_MS: '50', WEBHOOK_SWEEP_CRON: '* * * * * *', WEBHOOK_REQUEUE_AFTER_MS: '0' });
    receiver = await WebhookReceiver.start();
    admin = hub.client((await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Racing Inc' } })).adminKey.key);
    await admin.events.registerEventType({ requestBody: { name: 'OrderRaced' } });
  });

  afterAll(async () => {
    await hub.close();
    await receiver.close();
  });

  it('lets one of two simultaneous rotations through and refuses the other, so the original secret signs as promised', async () => {
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/rotations`, eventTypes: ['OrderRaced'] } });
    const original = (await admin.webhooks.getWebhookSecret({ id: webhook.id })).secret;
    const answers = await Promise.all(
      [1, 2].map(() =>
        admin.webhooks.rotateWebhookSecret({ id: webhook.id, requestBody: { gracePeriodSeconds: 3600 } }).then(
          (rotated) => ({ status: 200, secret: rotated.secret, body: {} as Record<string, unknown> }),
          (error: { status: number; body: Record<string, unknown> }) => ({ status: error.status, secret: undefined, body: error.body }),
        ),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body).toMatchObject({ code: 'webhook.rotation_in_progress' });
    const rotated = answers.find((answer) => answer.status === 200)!.secret!;
    expect((await admin.webhooks.getWebhookSecret({ id: webhook.id })).secret).toBe(rotated);

    const { id } = await admin.events.publishEvent({ requestBody: { eventType: 'OrderRaced', data: { order: 1 } } });
    const request = await eventually(async () => {
      const found = receiver.events('/rotations').find((r) => r.headers['webhook-id'] === id);
      expect(found).toBeDefined();
      return found!;
    }, 15_000, 20);
    // A receiver still on the original secret accepts it, and so does one on the new secret.
    for (const secret of [original, rotated]) expect(new StandardWebhook(secret).verify(request.body, request.headers)).toMatchObject({ data: { order: 1 } });
  });

  it('answers 409 naming the name to all but one of simultaneous registrations of an event type', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => errorOf(admin.events.registerEventType({ requestBody: { name: 'OrderDuplicated' } })).catch(() => ({ status: 201, body: {} }))),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body).toMatchObject({ errors: [{ field: 'name' }] });
  });

  it('refuses a null idempotency key with a 400 naming it, and publishes nothing', async () => {
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Null Keys' } });
    const nullKeys = hub.client(tenant.adminKey.key);
    // The type exists for this tenant and a webhook listens to it: only the null key can be what is refused.
    await nullKeys.events.registerEventType({ requestBody: { name: 'OrderRaced' } });
    const webhook = await nullKeys.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/null-keys`, eventTypes: ['OrderRaced'] } });
    const db = hub.app.get(EntityManager).fork().getConnection();
    const published = async () =>
      (await db.execute<Array<{ n: string }>>("SELECT count(*) AS n FROM outbox_message WHERE tenant_id = ? AND event_type = 'OrderRaced'", [tenant.tenant.id]))[0].n;

    const refused = await hub.request('/api/events', {
      method: 'POST',
      key: tenant.adminKey.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventType: 'OrderRaced', data: {}, idempotencyKey: null }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['idempotencyKey']);
    expect(await published()).toBe('0');
    expect((await nullKeys.webhooks.listWebhookDeliveries({ id: webhook.id, pageSize: 100 })).items).toEqual([]);

    // The same event without the null is published, and seen where the refused one was not.
    await nullKeys.events.publishEvent({ requestBody: { eventType: 'OrderRaced', data: {} } });
    expect(await published()).toBe('1');
  });

  it('answers a test send as done when Redis refuses its job, and the sweep delivers it', async () => {
    const webhook = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/refused-queue`, eventTypes: ['OrderRaced'] } });
    const queue = hub.app.get<Queue>(getQueueToken(WEBHOOK_DELIVERIES_QUEUE));
    const refuse = jest.spyOn(queue, 'addBulk').mockRejectedValueOnce(new Error('READONLY You can\'t write against a read only replica.'));
    let test: Awaited<ReturnType<typeof admin.webhooks.sendTestWebhook>>;
    try {
      test = await admin.webhooks.sendTestWebhook({ id: webhook.id });
      expect(refuse).toHaveBeenCalled();
    } finally {
      refuse.mockRestore();
    }
    await eventually(async () => expect(receiver.events('/refused-queue').map((r) => r.headers['webhook-id'])).toEqual([test.eventId]), 15_000, 100);
  });

  it("counts relayed application events under one metric label, whatever the tenants' type names", async () => {
    await admin.events.registerEventType({ requestBody: { name: 'OrderCounted.v2' } });
    await admin.events.publishEvent({ requestBody: { eventType: 'OrderCounted.v2', data: {} } });
    await eventually(async () => {
      const metrics = await (await hub.request('/metrics')).text();
      expect(metrics).toMatch(/^outbox_events_relayed_total\{event_type="application",path="relay"\} [1-9]/m);
      expect(metrics).toMatch(/^outbox_events_relayed_total\{event_type="TenantCreated",path="relay"\} [1-9]/m);
      expect(metrics).not.toContain('event_type="OrderCounted.v2"');
    }, 15_000, 50);
  });
});
