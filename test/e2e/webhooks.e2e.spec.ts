import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { IntegrationHubClient, WebhookDeliveryDto, WebhookDto } from '../../sdk/dist';
import { CheckWebhookHealthCommand } from '../../src/modules/webhooks/commands/check-webhook-health/check-webhook-health.command';
import { EventTypeCatalog } from '../../src/modules/webhooks/infrastructure/event-type-catalog';
import { WebhookMaintenanceProcessor } from '../../src/modules/webhooks/workers/webhook-maintenance.processor';
import { errorOf, eventually, startTestApp, TestApp } from '../support/test-app';
import { answer, ReceivedRequest, WebhookReceiver } from '../support/webhook-receiver';

/**
 * Outgoing webhooks (issue #6) through the generated SDK, against the running service (API + worker) and
 * receivers on 127.0.0.1. Every delivered request is verified with the `standardwebhooks` package. Delays
 * are shortened through configuration: the retry base delay is 200 ms and the sweep runs every second.
 */
describe('outgoing webhooks through the SDK', () => {
  let hub: TestApp;
  let receiver: WebhookReceiver;
  let admin: IntegrationHubClient;
  let other: IntegrationHubClient;

  beforeAll(async () => {
    hub = await startTestApp({
      WEBHOOK_RETRY_BASE_DELAY_MS: '200',
      WEBHOOK_SWEEP_CRON: '* * * * * *',
      WEBHOOK_STATUS_FLUSH_MS: '5',
      OUTBOX_POLL_MS: '50',
      WEBHOOK_HEALTH_CHECK_PAGE_SIZE: '50',
    });
    receiver = await WebhookReceiver.start();
    const operator = hub.client(hub.bootstrapKey);
    admin = hub.client((await operator.tenants.createTenant({ requestBody: { name: 'Webhooks Inc' } })).adminKey.key);
    other = hub.client((await operator.tenants.createTenant({ requestBody: { name: 'Someone Else' } })).adminKey.key);
    await admin.events.registerEventType({
      requestBody: {
        name: 'BookingConfirmed',
        description: 'A customer confirmed a booking',
        schema: { type: 'object', required: ['bookingId'], properties: { bookingId: { type: 'string' }, total: { type: 'number' } } },
      },
    });
  });

  afterAll(async () => {
    await hub.close();
    await receiver.close();
  });

  async function createWebhook(path: string, body: Partial<Parameters<IntegrationHubClient['webhooks']['createWebhook']>[0]['requestBody']> = {}): Promise<WebhookDto> {
    return admin.webhooks.createWebhook({ requestBody: { url: receiver.url + path, eventTypes: ['BookingConfirmed'], ...body } });
  }

  function verify(secret: string, request: ReceivedRequest): { type: string; timestamp: string; data: Record<string, unknown> } {
    return new StandardWebhook(secret).verify(request.body, request.headers) as { type: string; timestamp: string; data: Record<string, unknown> };
  }

  function publish(data: Record<string, unknown>, idempotencyKey?: string) {
    return admin.events.publishEvent({ requestBody: { eventType: 'BookingConfirmed', data, idempotencyKey } });
  }

  /** Waits until the delivery of `eventId` to `webhook` reaches `status`. */
  async function deliveryOf(webhook: WebhookDto, eventId: string, status: WebhookDeliveryDto['status']) {
    return eventually(
      async () => {
        const page = await admin.webhooks.listWebhookDeliveries({ id: webhook.id, pageSize: 100 });
        const delivery = page.items.find((d) => d.eventId === eventId);
        expect(delivery?.status).toBe(status);
        return admin.webhooks.getWebhookDelivery({ id: webhook.id, deliveryId: delivery!.id });
      },
      15_000,
      150,
    );
  }

  it('creates a webhook after a signed verification request, and shows the secret only at GET /{id}/secret', async () => {
    const webhook = await createWebhook('/create', { description: 'Bookings', retryPolicy: { maxRetries: 3 }, timeoutSeconds: 10 });
    expect(webhook).toMatchObject({ isActive: true, eventTypes: ['BookingConfirmed'], maxRetries: 3, timeoutSeconds: 10, retryPolicy: { maxRetries: 3, backoffMultiplier: 2 } });

    const { secret } = await admin.webhooks.getWebhookSecret({ id: webhook.id });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const [verification] = receiver.at('/create');
    expect(verify(secret, verification)).toMatchObject({ type: 'WebhookVerification', data: { webhookId: webhook.id } });

    const listed = await admin.webhooks.listWebhooks({ pageSize: 100 });
    expect(listed.items.map((w) => w.id)).toContain(webhook.id);
    for (const shown of [JSON.stringify(listed), JSON.stringify(await admin.webhooks.getWebhook({ id: webhook.id }))]) {
      expect(shown).not.toContain(secret);
      expect(shown).not.toMatch(/whsec_|"secret"/);
    }
  });

  it('refuses bad input with problem+json naming the field, and stores nothing', async () => {
    const before = (await admin.webhooks.listWebhooks({ pageSize: 100 })).total;
    const cases: Array<[Record<string, unknown>, number, string]> = [
      // Not HTTPS, to a loopback target the e2e app allows: refused for the scheme alone, no public host asked.
      [{ url: 'ftp://127.0.0.1/in', eventTypes: ['BookingConfirmed'] }, 400, 'url'],
      [{ url: 'not a url', eventTypes: ['BookingConfirmed'] }, 400, 'url'],
      [{ url: receiver.url + '/bad', eventTypes: [] }, 400, 'eventTypes'],
      [{ url: receiver.url + '/bad', eventTypes: [''] }, 400, 'eventTypes'],
      [{ url: receiver.url + '/bad', eventTypes: ['NoSuchEvent'] }, 422, 'eventTypes'],
      [{ url: receiver.url + '/bad', eventTypes: ['WebhookSent'] }, 422, 'eventTypes'],
      [{ url: receiver.url + '/bad', eventTypes: ['BookingConfirmed'], retryPolicy: { maxRetries: 11 } }, 400, 'retryPolicy.maxRetries'],
      [{ url: receiver.url + '/bad', eventTypes: ['BookingConfirmed'], timeoutSeconds: 4 }, 400, 'timeoutSeconds'],
      [{ url: receiver.url + '/bad', eventTypes: ['BookingConfirmed'], timeoutSeconds: 301 }, 400, 'timeoutSeconds'],
      [{ url: receiver.url + '/bad', eventTypes: ['BookingConfirmed'], secret: 'whsec_mine' }, 400, 'secret'],
      [{ url: receiver.url + '/bad', eventTypes: ['BookingConfirmed'], integrationId: '00000000-0000-4000-8000-00000000beef' }, 400, 'integrationId'],
    ];
    for (const [body, status, field] of cases) {
      const response = await hub.request('/api/webhooks', { method: 'POST', key: keyOf(admin), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect({ body, status: response.status }).toEqual({ body, status });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { errors?: Array<{ field: string }> };
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    }
    // The non-HTTPS refusal names `url` for its scheme (http:// to a public name: checkTargetUrl's unit spec).
    const notHttps = await hub.request('/api/webhooks', {
      method: 'POST',
      key: keyOf(admin),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'ftp://127.0.0.1/in', eventTypes: ['BookingConfirmed'] }),
    });
    expect(notHttps.status).toBe(400);
    expect(((await notHttps.json()) as { errors?: unknown }).errors).toEqual([{ field: 'url', messages: [expect.stringContaining('only HTTPS is allowed')] }]);

    receiver.on('/refuses-verification', answer(500));
    const refused = await errorOf(createWebhook('/refuses-verification'));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'webhook.verification_failed', errors: [{ field: 'url' }] });

    // A receiver that checks every signature can only pass the verification request with a secret it already
    // holds: the caller chooses it. One it does not know fails, as any forged request would.
    const chosen = `whsec_${randomBytes(32).toString('base64')}`;
    receiver.on('/checks-signatures', (request, response) => {
      try {
        new StandardWebhook(chosen).verify(request.body, request.headers);
        response.writeHead(204).end();
      } catch {
        response.writeHead(401).end();
      }
    });
    expect((await errorOf(createWebhook('/checks-signatures'))).status).toBe(422);
    const strict = await admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/checks-signatures`, eventTypes: ['BookingConfirmed'], secret: chosen } });
    expect((await admin.webhooks.getWebhookSecret({ id: strict.id })).secret).toBe(chosen);
    expect(JSON.stringify(strict)).not.toContain(chosen);
    await admin.webhooks.deleteWebhook({ id: strict.id });
    for (const secret of ['whsec_short', `whsec_${randomBytes(65).toString('base64')}`, randomBytes(32).toString('base64'), null]) {
      const badSecret = await errorOf(admin.webhooks.createWebhook({ requestBody: { url: `${receiver.url}/checks-signatures`, eventTypes: ['BookingConfirmed'], secret: secret as string } }));
      expect(badSecret.status).toBe(400);
      expect(badSecret.body).toMatchObject({ errors: [{ field: 'secret' }] });
      if (secret) expect(JSON.stringify(badSecret.body)).not.toContain(secret.slice(6, 20));
    }

    expect((await admin.webhooks.listWebhooks({ pageSize: 100 })).total).toBe(before);
    expect(receiver.at('/bad')).toHaveLength(0);

    // An update that changes nothing is refused, naming what it could have set.
    receiver.on('/unchanged', answer(200));
    const webhook = await createWebhook('/unchanged');
    const emptyUpdate = await errorOf(admin.webhooks.updateWebhook({ id: webhook.id, requestBody: {} }));
    expect(emptyUpdate.status).toBe(400);
    expect(emptyUpdate.body.errors.map((e: { field: string }) => e.field)).toEqual(['url', 'description', 'eventTypes', 'retryPolicy', 'timeoutSeconds', 'isActive']);
    expect((await admin.webhooks.getWebhook({ id: webhook.id })).modifiedAt).toBe(webhook.modifiedAt);
  });

  it('holds no database connection while receivers keep their verification requests waiting', async () => {
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Slow receivers' } });
    const slow = hub.client(tenant.adminKey.key);
    // As many creations as the pool has connections: were each to wait inside a transaction, no other query could run.
    const { max: poolSize } = hub.app.get(MikroORM).config.get('pool') as { max: number };
    const waiting: ServerResponse[] = [];
    receiver.on('/slow-verification', (_, res) => void waiting.push(res));
    const creations = Promise.allSettled(
      Array.from({ length: poolSize }, () =>
        slow.webhooks.createWebhook({ requestBody: { url: receiver.url + '/slow-verification', eventTypes: ['APIKeyGenerated'], timeoutSeconds: 5 } }),
      ),
    );
    await eventually(async () => expect(waiting).toHaveLength(poolSize), 10_000);
    // Answered while every verification still waits (before, it waited for them to time out and fail).
    expect((await slow.webhooks.listWebhooks({})).total).toBe(0);
    for (const response of waiting) response.writeHead(200).end();
    expect((await creations).map((result) => result.status)).toEqual(waiting.map(() => 'fulfilled'));
    expect((await slow.webhooks.listWebhooks({ pageSize: 100 })).total).toBe(poolSize);
  });

  it('answers 409 to a tenant at its limit without calling the endpoint, and counts again under the lock before storing', async () => {
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'One webhook', maxWebhooks: 1 } });
    const small = hub.client(tenant.adminKey.key);
    const create = (path: string) => small.webhooks.createWebhook({ requestBody: { url: receiver.url + path, eventTypes: ['APIKeyGenerated'] } });

    // Two creations that both pass the early check: their verifications are answered only once both have arrived.
    const waiting: ServerResponse[] = [];
    receiver.on('/race', (_, res) => void waiting.push(res));
    const racing = Promise.allSettled([create('/race'), create('/race')]);
    await eventually(async () => expect(waiting).toHaveLength(2), 10_000);
    for (const response of waiting) response.writeHead(200).end();
    const results = await racing;
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')!;
    expect(lost.reason).toMatchObject({ status: 409, body: { code: 'webhook.limit_reached' } });

    const refused = await errorOf(create('/over-the-limit'));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('webhook.limit_reached');
    expect(receiver.at('/over-the-limit')).toHaveLength(0);
    expect((await small.webhooks.listWebhooks({})).total).toBe(1);
  });

  it('delivers a published event signed per Standard Webhooks, records the attempt and counts it', async () => {
    const webhook = await createWebhook('/deliver');
    const { secret } = await admin.webhooks.getWebhookSecret({ id: webhook.id });
    const event = await publish({ bookingId: 'b-1', total: 129.5 });
    expect(event).toMatchObject({ eventType: 'BookingConfirmed', duplicate: false });

    const [request] = await eventually(async () => {
      expect(receiver.events('/deliver')).toHaveLength(1);
      return receiver.events('/deliver');
    }, 10_000);
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(verify(secret, request)).toEqual({ type: 'BookingConfirmed', timestamp: event.timestamp, data: { bookingId: 'b-1', total: 129.5 } });

    const delivery = await deliveryOf(webhook, event.id, 'Delivered');
    expect(delivery).toMatchObject({ attemptCount: 1, httpStatusCode: 200, eventType: 'BookingConfirmed', payload: request.body });
    expect(delivery.attempts).toEqual([expect.objectContaining({ attemptNumber: 1, statusCode: 200, succeeded: true })]);
    const counted = await eventually(async () => {
      const w = await admin.webhooks.getWebhook({ id: webhook.id });
      expect(w.successCount).toBe(1);
      return w;
    }, 5000, 100);
    expect(counted.lastTriggeredAt).not.toBeNull();
  });

  it('fans out domain events of this service too (APIKeyGenerated), never with secrets', async () => {
    const webhook = await createWebhook('/domain', { eventTypes: ['APIKeyGenerated'] });
    const { secret } = await admin.webhooks.getWebhookSecret({ id: webhook.id });
    const key = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Fanned out', scopes: ['integration:read'] } });
    const [request] = await eventually(async () => {
      expect(receiver.events('/domain')).toHaveLength(1);
      return receiver.events('/domain');
    }, 10_000);
    expect(verify(secret, request)).toMatchObject({ type: 'APIKeyGenerated', data: { aggregateId: key.id, keyName: 'Fanned out' } });
    expect(request.body).not.toContain(key.key);
  });

  it('runs the events API: catalog, schema checks (422), unknown types (422), 1 MB limit (413), idempotency keys', async () => {
    const catalog = await admin.events.listEventTypes({ pageSize: 100 });
    expect(catalog.items).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'APIKeyGenerated', source: 'Domain' }),
      expect.objectContaining({ name: 'WebhookDisabled', source: 'Domain' }),
      expect.objectContaining({ name: 'BookingConfirmed', source: 'Application', schema: expect.objectContaining({ required: ['bookingId'] }) }),
    ]));
    expect(catalog.items.map((t) => t.name)).not.toContain('WebhookSent');
    expect((await other.events.listEventTypes({ pageSize: 100 })).items.map((t) => t.name)).not.toContain('BookingConfirmed');

    const unknown = await errorOf(admin.events.publishEvent({ requestBody: { eventType: 'NoSuchEvent', data: {} } }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'eventType' })]);
    expect((await errorOf(admin.events.publishEvent({ requestBody: { eventType: 'APIKeyRevoked', data: {} } }))).status).toBe(422);
    expect((await errorOf(other.events.publishEvent({ requestBody: { eventType: 'BookingConfirmed', data: { bookingId: 'x' } } }))).status).toBe(422);

    const mismatch = await errorOf(publish({ total: 'a lot' }));
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['data', 'data.total']));

    const tooLarge = await errorOf(publish({ bookingId: 'big', blob: 'x'.repeat(1_048_576) }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.errors).toEqual([expect.objectContaining({ field: 'data' })]);

    // Over the server's own body limit (BODY_LIMIT_BYTES), Fastify refuses it before the handler: the same answer.
    const overBodyLimit = await hub.request('/api/events', {
      method: 'POST',
      key: keyOf(admin),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ eventType: 'BookingConfirmed', data: { bookingId: 'huge', blob: 'x'.repeat(hub.config.bodyLimitBytes) } }),
    });
    expect(overBodyLimit.status).toBe(413);
    expect(overBodyLimit.headers.get('content-type')).toContain('application/problem+json');
    expect(await overBodyLimit.json()).toMatchObject({ status: 413, code: tooLarge.body.code, errors: [expect.objectContaining({ field: 'data' })] });

    const unstorable = await errorOf(publish({ bookingId: 'nul\u0000inside' }));
    expect(unstorable.status).toBe(422);
    expect(unstorable.body.errors).toEqual([expect.objectContaining({ field: 'data', messages: [expect.stringMatching(/U\+0000/)] })]);
    // Half of an emoji: JSON carries it as the escape \ud83d, which jsonb refuses.
    const halfEmoji = await errorOf(publish({ bookingId: 'cut \ud83d' }));
    expect(halfEmoji.status).toBe(422);
    expect(halfEmoji.body.errors).toEqual([expect.objectContaining({ field: 'data', messages: [expect.stringMatching(/unpaired surrogate U\+D83D/)] })]);

    const reserved = await errorOf(admin.events.registerEventType({ requestBody: { name: 'WebhookSent' } }));
    expect(reserved.status).toBe(422);
    expect((await errorOf(admin.events.registerEventType({ requestBody: { name: 'BookingConfirmed' } }))).status).toBe(409);
    expect((await errorOf(admin.events.registerEventType({ requestBody: { name: 'Bad', schema: { type: 'no-such-type' } } }))).status).toBe(422);

    const webhook = await createWebhook('/idempotent');
    const first = await publish({ bookingId: 'once' }, 'booking-once');
    const again = await publish({ bookingId: 'twice?' }, 'booking-once');
    expect(again).toEqual({ ...first, duplicate: true });
    await deliveryOf(webhook, first.id, 'Delivered');
    expect(receiver.events('/idempotent').map((r) => JSON.parse(r.body).data)).toEqual([{ bookingId: 'once' }]);
  });

  it("keeps a tenant's schemas to itself, and runs its patterns in linear time", async () => {
    const id = 'https://webhooks-inc.test/schemas/payment';
    const payment = (amount: Record<string, unknown>) => ({ $id: id, type: 'object', properties: { amount } });
    await admin.events.registerEventType({ requestBody: { name: 'PaymentTaken', schema: payment({ type: 'number', maximum: 5000 }) } });
    // Published once, so that its schema is compiled on this replica.
    await admin.events.publishEvent({ requestBody: { eventType: 'PaymentTaken', data: { amount: 10 } } });

    const peek = await errorOf(other.events.registerEventType({ requestBody: { name: 'Peek', schema: { properties: { amount: { $ref: id } } } } }));
    expect(peek.status).toBe(422);
    expect(peek.body).toMatchObject({ code: 'event.invalid_schema', errors: [{ field: 'schema', messages: [expect.stringContaining(id)] }] });

    // The same $id in another tenant is no clash, and each tenant's data is checked against its own schema.
    await other.events.registerEventType({ requestBody: { name: 'PaymentTaken', schema: payment({ type: 'string' }) } });
    await other.events.publishEvent({ requestBody: { eventType: 'PaymentTaken', data: { amount: 'ten' } } });
    const mismatch = await errorOf(admin.events.publishEvent({ requestBody: { eventType: 'PaymentTaken', data: { amount: 'ten' } } }));
    expect(mismatch.body.errors).toEqual([{ field: 'data.amount', messages: ['must be number'] }]);

    // Patterns run on RE2: one that backtracks for minutes in JavaScript answers at once, and a backreference is refused.
    await other.events.registerEventType({ requestBody: { name: 'Coded', schema: { properties: { code: { type: 'string', pattern: '^(a+)+$' } } } } });
    const backtracking = await errorOf(other.events.publishEvent({ requestBody: { eventType: 'Coded', data: { code: `${'a'.repeat(40)}!` } } }));
    expect(backtracking.status).toBe(422);
    expect(backtracking.body.errors).toEqual([{ field: 'data.code', messages: ['must match pattern "^(a+)+$"'] }]);
    const backreference = await errorOf(other.events.registerEventType({ requestBody: { name: 'Echoed', schema: { properties: { code: { type: 'string', pattern: '(a)\\1' } } } } }));
    expect(backreference.status).toBe(422);
    expect(backreference.body.errors).toEqual([{ field: 'schema', messages: [expect.stringMatching(/cannot run.*RE2/)] }]);
  });

  it('names, in the daily clean-up, the stored types whose schema no longer runs', async () => {
    // Stored as an earlier version accepted it: a lookbehind, which RE2 cannot run.
    const tenantId = (await admin.apiKeys.getCurrentCaller()).tenantId;
    await hub.app
      .get(EntityManager)
      .fork()
      .getConnection()
      .execute(`INSERT INTO event_type_definition (id, tenant_id, name, schema) VALUES (gen_random_uuid(), ?, 'LegacyLookbehind', ?::jsonb)`, [
        tenantId,
        JSON.stringify({ properties: { code: { type: 'string', pattern: '(?<=a)b' } } }),
      ]);
    const report = await hub.app.get(WebhookMaintenanceProcessor).cleanUp();
    expect(report.unusableSchemas).toBe(1);
    expect(await hub.app.get(EventTypeCatalog).unusableSchemas()).toEqual([{ tenantId, name: 'LegacyLookbehind', problem: expect.stringMatching(/cannot run/) }]);
    const refused = await errorOf(admin.events.publishEvent({ requestBody: { eventType: 'LegacyLookbehind', data: { code: 'ab' } } }));
    expect(refused.body).toMatchObject({ code: 'event.invalid_schema', errors: [{ field: 'eventType' }] });
  });

  it('signs with both secrets during a rotation, and with the new one only after it', async () => {
    const webhook = await createWebhook('/rotation');
    const { secret: old } = await admin.webhooks.getWebhookSecret({ id: webhook.id });
    const rotated = await admin.webhooks.rotateWebhookSecret({ id: webhook.id, requestBody: { gracePeriodSeconds: 3600 } });
    expect(rotated.secret).not.toBe(old);
    expect(rotated.previousSecretExpiresAt).not.toBeNull();
    expect((await admin.webhooks.getWebhookSecret({ id: webhook.id })).secret).toBe(rotated.secret);

    const during = await publish({ bookingId: 'rotating' });
    await deliveryOf(webhook, during.id, 'Delivered');
    const request = receiver.events('/rotation').find((r) => r.headers['webhook-id'] === during.id)!;
    expect(request.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verify(rotated.secret, request).data).toEqual({ bookingId: 'rotating' });
    expect(verify(old, request).data).toEqual({ bookingId: 'rotating' });

    const final = await admin.webhooks.rotateWebhookSecret({ id: webhook.id, requestBody: { gracePeriodSeconds: 0 } });
    const after = await publish({ bookingId: 'rotated' });
    await deliveryOf(webhook, after.id, 'Delivered');
    const last = receiver.events('/rotation').find((r) => r.headers['webhook-id'] === after.id)!;
    expect(verify(final.secret, last).data).toEqual({ bookingId: 'rotated' });
    expect(() => verify(rotated.secret, last)).toThrow();
  });

  it('retries 5xx with backoff until delivered, recording every attempt', async () => {
    const webhook = await createWebhook('/flaky');
    let calls = 0;
    receiver.on('/flaky', (_, res) => void res.writeHead(++calls <= 2 ? 503 : 200).end(calls <= 2 ? 'down for maintenance' : 'ok'));
    const event = await publish({ bookingId: 'flaky' });
    const delivery = await deliveryOf(webhook, event.id, 'Delivered');
    expect(delivery.attempts.map((a) => [a.statusCode, a.succeeded])).toEqual([[503, false], [503, false], [200, true]]);
    expect(delivery.attempts[0].responseBody).toBe('down for maintenance');
    const { secret } = await admin.webhooks.getWebhookSecret({ id: webhook.id });
    const requests = receiver.events('/flaky');
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    for (const request of requests) expect(verify(secret, request).data).toEqual({ bookingId: 'flaky' });
  });

  it('stops after maxRetries, treats 4xx (but 408/429) as final, and honours Retry-After', async () => {
    const capped = await createWebhook('/always-500', { retryPolicy: { maxRetries: 1 } });
    receiver.on('/always-500', answer(500));
    const e1 = await publish({ bookingId: 'capped' });
    const failed = await deliveryOf(capped, e1.id, 'Failed');
    expect(failed.attempts).toHaveLength(2);
    expect(failed.errorMessage).toMatch(/No retries left/);

    const gone = await createWebhook('/gone');
    receiver.on('/gone', answer(410));
    const e2 = await publish({ bookingId: 'gone' });
    const final = await deliveryOf(gone, e2.id, 'Failed');
    expect(final.attempts).toHaveLength(1);
    expect(final.httpStatusCode).toBe(410);

    const limited = await createWebhook('/limited');
    let calls = 0;
    receiver.on('/limited', (_, res) => void (++calls === 1 ? res.writeHead(429, { 'retry-after': '2' }).end() : res.writeHead(200).end()));
    const e3 = await publish({ bookingId: 'limited' });
    const retrying = await deliveryOf(limited, e3.id, 'Retrying');
    // The backoff alone would wait 200 ms; Retry-After asks for 2 s.
    expect(new Date(retrying.nextRetryAt!).getTime() - new Date(retrying.lastAttemptAt!).getTime()).toBeGreaterThanOrEqual(1900);
    await deliveryOf(limited, e3.id, 'Delivered');
  });

  it('fails a redirect, a socket closed mid-answer and a 10 MB error answer cleanly, and retries them', async () => {
    const webhook = await createWebhook('/odd', { retryPolicy: { maxRetries: 3 } });
    let calls = 0;
    receiver.on('/odd', (_, res) => {
      calls++;
      if (calls === 1) return void res.writeHead(302, { location: receiver.url + '/redirect-target' }).end();
      if (calls === 2) {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial');
        return void res.socket?.destroy();
      }
      if (calls === 3) return void res.writeHead(500).end('x'.repeat(10 * 1024 * 1024));
      res.writeHead(204).end();
    });
    const event = await publish({ bookingId: 'odd' });
    const delivery = await deliveryOf(webhook, event.id, 'Delivered');
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([302, null, 500, 204]);
    expect(delivery.attempts[0].errorMessage).toMatch(/Redirect/);
    expect(delivery.attempts[1].errorMessage).toMatch(/Network error/);
    expect(delivery.attempts[2].responseBody!.length).toBeLessThanOrEqual(4096);
    expect(receiver.at('/redirect-target')).toHaveLength(0);
  });

  it('records an answer holding a NUL character, and the attempts recorded with it', async () => {
    // PostgreSQL cannot store U+0000: unguarded, this answer failed the outcome batch it rode in, others' included.
    const binary = await createWebhook('/binary', { retryPolicy: { maxRetries: 0 } });
    const plain = await createWebhook('/plain');
    receiver.on('/binary', (_, res) => void res.writeHead(400).end(Buffer.from('bad\u0000request', 'latin1')));
    receiver.on('/plain', answer(200));
    const event = await publish({ bookingId: 'nul-answer' });
    const failed = await deliveryOf(binary, event.id, 'Failed');
    expect(failed.attempts.map((a) => [a.statusCode, a.responseBody])).toEqual([[400, 'bad\uFFFDrequest']]);
    await deliveryOf(plain, event.id, 'Delivered');
    await admin.webhooks.deleteWebhook({ id: binary.id });
    await admin.webhooks.deleteWebhook({ id: plain.id });
  });

  it('gives up on a receiver that hangs after the timeout, and retries', async () => {
    const webhook = await createWebhook('/hangs', { timeoutSeconds: 5 });
    receiver.on('/hangs', () => undefined); // never answers
    const event = await publish({ bookingId: 'hang' });
    const delivery = await deliveryOf(webhook, event.id, 'Retrying');
    expect(delivery.attempts[0]).toMatchObject({ statusCode: null, succeeded: false, errorMessage: expect.stringMatching(/did not answer in time/) });
    await admin.webhooks.deleteWebhook({ id: webhook.id });
  });

  it('replays one delivery and recovers every failed delivery since a time', async () => {
    const webhook = await createWebhook('/outage');
    receiver.on('/outage', answer(400));
    const since = new Date().toISOString();
    const events = [await publish({ bookingId: 'o-1' }), await publish({ bookingId: 'o-2' }), await publish({ bookingId: 'o-3' })];
    const failed = await Promise.all(events.map((e) => deliveryOf(webhook, e.id, 'Failed')));

    receiver.on('/outage', answer(200));
    const replayed = await admin.webhooks.replayWebhookDelivery({ id: webhook.id, deliveryId: failed[0].id });
    expect(replayed.status).toBe('Pending');
    const delivered = await deliveryOf(webhook, events[0].id, 'Delivered');
    expect(delivered.attempts.map((a) => a.statusCode)).toEqual([400, 200]);
    expect((await errorOf(admin.webhooks.replayWebhookDelivery({ id: webhook.id, deliveryId: '00000000-0000-4000-8000-000000000000' }))).status).toBe(404);

    const recovered = await admin.webhooks.recoverWebhookDeliveries({ id: webhook.id, requestBody: { since } });
    expect(recovered.requeued).toBe(2);
    await Promise.all(events.slice(1).map((e) => deliveryOf(webhook, e.id, 'Delivered')));
    const { secret } = await admin.webhooks.getWebhookSecret({ id: webhook.id });
    const resent = receiver.events('/outage').filter((r) => events.some((e) => e.id === r.headers['webhook-id']));
    for (const request of resent) verify(secret, request);
    expect(resent).toHaveLength(6);
  });

  it('sends a test delivery, and filters the delivery log', async () => {
    const webhook = await createWebhook('/test-me');
    const test = await admin.webhooks.sendTestWebhook({ id: webhook.id });
    expect(test).toMatchObject({ eventType: 'WebhookTest', status: 'Pending' });
    await eventually(async () => expect(receiver.events('/test-me')).toHaveLength(1), 10_000);
    await publish({ bookingId: 'log' });
    await eventually(async () => expect(receiver.events('/test-me')).toHaveLength(2), 10_000);
    const tests = await admin.webhooks.listWebhookDeliveries({ id: webhook.id, eventType: 'WebhookTest' });
    expect(tests.items.map((d) => d.id)).toEqual([test.id]);
    const none = await admin.webhooks.listWebhookDeliveries({ id: webhook.id, from: new Date(Date.now() + 60_000).toISOString() });
    expect(none.total).toBe(0);
    const bad = await hub.request(`/api/webhooks/${webhook.id}/deliveries?status=Lost`, { key: keyOf(admin) });
    expect(bad.status).toBe(400);
  });

  it("answers 404 for another tenant's webhook, exactly as for a missing one", async () => {
    const mine = await createWebhook('/mine');
    const calls: Array<() => Promise<unknown>> = [
      () => other.webhooks.getWebhook({ id: mine.id }),
      () => other.webhooks.updateWebhook({ id: mine.id, requestBody: { timeoutSeconds: 60 } }),
      () => other.webhooks.getWebhookSecret({ id: mine.id }),
      () => other.webhooks.rotateWebhookSecret({ id: mine.id, requestBody: {} }),
      () => other.webhooks.listWebhookDeliveries({ id: mine.id }),
      () => other.webhooks.sendTestWebhook({ id: mine.id }),
      () => other.webhooks.recoverWebhookDeliveries({ id: mine.id, requestBody: { since: new Date(0).toISOString() } }),
      () => other.webhooks.getWebhookHealth({ id: mine.id }),
      () => other.webhooks.deleteWebhook({ id: mine.id }),
    ];
    for (const call of calls) {
      const error = await errorOf(call());
      expect(error.status).toBe(404);
      expect(error.body.code).toBe('webhook.not_found');
    }
    expect((await other.webhooks.listWebhooks({})).items).toHaveLength(0);
    expect((await admin.webhooks.getWebhook({ id: mine.id })).timeoutSeconds).toBe(30);
  });

  it('needs webhook:manage to manage webhooks and events:publish to publish', async () => {
    const reader = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Reader', scopes: ['integration:read'] } });
    expect((await errorOf(hub.client(reader.key).webhooks.listWebhooks({}))).status).toBe(403);
    expect((await errorOf(hub.client(reader.key).events.publishEvent({ requestBody: { eventType: 'BookingConfirmed', data: { bookingId: 'x' } } }))).status).toBe(403);
  });

  it('updates and deletes a webhook; a disabled webhook receives nothing', async () => {
    const webhook = await createWebhook('/update-me');
    // An active sibling on the same event type: once it has its delivery, fan-out has run for the event.
    const sibling = await createWebhook('/update-me-sibling');
    const updated = await admin.webhooks.updateWebhook({ id: webhook.id, requestBody: { timeoutSeconds: 60, retryPolicy: { maxRetries: 0 }, isActive: false } });
    expect(updated).toMatchObject({ timeoutSeconds: 60, maxRetries: 0, isActive: false, disabledReason: 'Disabled through the API' });
    const event = await publish({ bookingId: 'while disabled' });
    await deliveryOf(sibling, event.id, 'Delivered');
    await eventually(async () => expect(receiver.events('/update-me-sibling').map((r) => r.headers['webhook-id'])).toEqual([event.id]), 10_000);
    expect((await admin.webhooks.listWebhookDeliveries({ id: webhook.id, pageSize: 100 })).items).toEqual([]);
    expect(receiver.events('/update-me')).toHaveLength(0);

    expect((await errorOf(admin.webhooks.updateWebhook({ id: webhook.id, requestBody: { eventTypes: ['Nope'] } }))).status).toBe(422);
    await admin.webhooks.deleteWebhook({ id: webhook.id });
    await admin.webhooks.deleteWebhook({ id: sibling.id });
    expect((await errorOf(admin.webhooks.getWebhook({ id: webhook.id }))).status).toBe(404);
    const trail = await admin.audit.listAuditEntries({ resourceId: webhook.id, pageSize: 100 });
    expect(trail.items.map((e) => e.action)).toEqual(expect.arrayContaining(['WebhookCreated', 'WebhookDisabled', 'WebhookDeleted']));
  });

  it('verifies a new URL as creation does, and changes nothing when it does not answer 2xx', async () => {
    const webhook = await createWebhook('/moving-from');
    const { secret } = await admin.webhooks.getWebhookSecret({ id: webhook.id });

    receiver.on('/never-agreed', answer(500));
    const refused = await errorOf(admin.webhooks.updateWebhook({ id: webhook.id, requestBody: { url: receiver.url + '/never-agreed', timeoutSeconds: 60 } }));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'webhook.verification_failed', errors: [{ field: 'url' }] });
    expect(receiver.at('/never-agreed').map((request) => verify(secret, request))).toEqual([
      expect.objectContaining({ type: 'WebhookVerification', data: { webhookId: webhook.id, eventTypes: ['BookingConfirmed'] } }),
    ]);
    expect(await admin.webhooks.getWebhook({ id: webhook.id })).toMatchObject({ url: webhook.url, timeoutSeconds: webhook.timeoutSeconds });

    const moved = await admin.webhooks.updateWebhook({ id: webhook.id, requestBody: { url: receiver.url + '/moved-to' } });
    expect(moved.url).toBe(receiver.url + '/moved-to');
    expect(receiver.at('/moved-to').map((request) => verify(secret, request).type)).toEqual(['WebhookVerification']);
    // The same URL again, or other changes, send nothing.
    await admin.webhooks.updateWebhook({ id: webhook.id, requestBody: { url: receiver.url + '/moved-to', timeoutSeconds: 45 } });
    expect(receiver.at('/moved-to')).toHaveLength(1);
    const trail = await admin.audit.listAuditEntries({ resourceId: webhook.id, pageSize: 100 });
    expect(trail.items.filter((entry) => entry.action === 'WebhookUpdated')).toHaveLength(2);
    await admin.webhooks.deleteWebhook({ id: webhook.id });
  });

  it('holds no database connection while new URLs keep their verification requests waiting', async () => {
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Slow movers' } });
    const slow = hub.client(tenant.adminKey.key);
    const { max: poolSize } = hub.app.get(MikroORM).config.get('pool') as { max: number };
    const webhooks: WebhookDto[] = [];
    for (let i = 0; i < poolSize; i++) {
      webhooks.push(await slow.webhooks.createWebhook({ requestBody: { url: receiver.url + '/before-moving', eventTypes: ['APIKeyGenerated'], timeoutSeconds: 5 } }));
    }
    const waiting: ServerResponse[] = [];
    receiver.on('/slow-move', (_, res) => void waiting.push(res));
    const updates = Promise.allSettled(webhooks.map(({ id }) => slow.webhooks.updateWebhook({ id, requestBody: { url: receiver.url + '/slow-move' } })));
    await eventually(async () => expect(waiting).toHaveLength(poolSize), 10_000);
    // Answered while every verification still waits: were each to wait inside a transaction, no query could run.
    expect((await slow.webhooks.listWebhooks({ pageSize: 100 })).items.map((w) => w.url)).not.toContain(receiver.url + '/slow-move');
    for (const response of waiting) response.writeHead(200).end();
    expect((await updates).map((result) => result.status)).toEqual(waiting.map(() => 'fulfilled'));
    expect(new Set((await slow.webhooks.listWebhooks({ pageSize: 100 })).items.map((w) => w.url))).toEqual(new Set([receiver.url + '/slow-move']));
  });

  it('shows the failure rate, alerts above 20%, and disables a webhook that keeps failing (WebhookDisabled)', async () => {
    const webhook = await createWebhook('/broken', { retryPolicy: { maxRetries: 0 } });
    receiver.on('/broken', answer(500));
    const events = [await publish({ bookingId: 'b-1' }), await publish({ bookingId: 'b-2' })];
    await Promise.all(events.map((e) => deliveryOf(webhook, e.id, 'Failed')));
    const health = await eventually(async () => {
      const h = await admin.webhooks.getWebhookHealth({ id: webhook.id });
      // An event the previous test published may fan out after this webhook exists, so at least our two.
      expect(h.attemptsLastHour).toBeGreaterThanOrEqual(2);
      expect(h).toMatchObject({ failedLastHour: h.attemptsLastHour, failureRatePercent: 100, alerting: true });
      return h;
    }, 10_000, 200);
    expect(health.failingSince).not.toBeNull();

    // Five days later, as the sweep would see it then.
    const report = await hub.app.get(CommandBus).execute(new CheckWebhookHealthCommand([], new Date(Date.now() + 5 * 24 * 3600_000 + 1000)));
    expect(report.disabled).toContain(webhook.id);
    const disabled = await admin.webhooks.getWebhook({ id: webhook.id });
    expect(disabled).toMatchObject({ isActive: false, disabledReason: expect.stringMatching(/Every delivery attempt failed since/) });
    const em = hub.app.get(EntityManager).fork();
    const outbox = await em.getConnection().execute<Array<{ event_type: string }>>('SELECT event_type FROM outbox_message WHERE aggregate_id = ? ORDER BY seq', [webhook.id]);
    expect(outbox.map((r) => r.event_type)).toEqual(expect.arrayContaining(['WebhookFailureRateExceeded', 'WebhookDisabled']));
  });

  it('evaluates every candidate of the health check, however many, page by page', async () => {
    // More candidates than a page (50 here), and more than the 500 a run used to take, in no particular order.
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Many failing webhooks' } });
    const db = hub.app.get(EntityManager).fork().getConnection();
    const failing = await db.execute<Array<{ id: string }>>(
      `INSERT INTO webhook (id, tenant_id, url, event_types, secret, failing_since)
       SELECT gen_random_uuid(), ?, ?, '["APIKeyGenerated"]', 'never opened', now() - interval '1 hour' FROM generate_series(1, 510)
       RETURNING id`,
      [tenant.tenant.id, receiver.url + '/never'],
    );

    // Five days later, as the sweep would see it then.
    const report = await hub.app.get(CommandBus).execute(new CheckWebhookHealthCommand([], new Date(Date.now() + 5 * 24 * 3600_000)));
    expect(report.disabled).toEqual(expect.arrayContaining(failing.map((row) => row.id)));
    expect(await db.execute('SELECT count(*) AS n FROM webhook WHERE tenant_id = ? AND is_active', [tenant.tenant.id])).toEqual([{ n: '0' }]);
    expect(await db.execute("SELECT count(*) AS n FROM outbox_message WHERE tenant_id = ? AND event_type = 'WebhookDisabled'", [tenant.tenant.id])).toEqual([{ n: '510' }]);
  });
});

function keyOf(client: IntegrationHubClient): string {
  return (client.request as unknown as { config: { HEADERS: Record<string, string> } }).config.HEADERS['X-API-Key'];
}
