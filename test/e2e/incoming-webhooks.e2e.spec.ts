import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { InboundWebhookEvent } from '../../src/modules/incoming-webhooks/domain/inbound-webhook-event.entity';
import { InboundEventWriter } from '../../src/modules/incoming-webhooks/infrastructure/inbound-event.writer';
import { IncomingSettingsCache } from '../../src/modules/incoming-webhooks/infrastructure/incoming-settings.cache';
import { StartSyncOnProviderEvent } from '../../src/modules/incoming-webhooks/reactions/start-sync-on-provider-event.handler';
import { FakeSyncSource } from '../support/fake-sync-source';
import { signLikeGitHub } from '../support/octokit-sign';
import { eventually, startTestApp, TestApp } from '../support/test-app';

interface IncomingEvent {
  id: string;
  eventType: string | null;
  dedupeKey: string;
  status: string;
  body: string;
  verified: boolean;
}

/** Issue #4 end to end: provider-signed callbacks against the running service, stored, deduplicated, processed. */
describe('incoming provider webhooks', () => {
  let hub: TestApp;
  let adminKey: string;
  const stripe = new Stripe('sk_test_unused');
  const stripeSecret = 'whsec_stripeEndpointSecret123';

  beforeAll(async () => {
    hub = await startTestApp({ INCOMING_WEBHOOKS_SETTINGS_CACHE_MS: '0' });
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Receiving' } });
    adminKey = tenant.adminKey.key;
  });

  afterAll(() => hub.close());

  async function createIntegration(body: Record<string, unknown>, key = adminKey): Promise<string> {
    const response = await hub.request('/api/integrations', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = (await response.json()) as { id: string };
    expect(response.status).toBe(201);
    return created.id;
  }

  const stripeIntegration = (extra: Record<string, unknown> = {}) =>
    createIntegration({ name: `Stripe ${randomUUID()}`, integrationType: 'PaymentGateway', provider: 'Stripe', configuration: { apiKey: 'sk_test_abc123', webhookSecret: stripeSecret, ...extra } });

  const customIntegration = (incomingWebhook: Record<string, unknown>) =>
    createIntegration({ name: `Custom ${randomUUID()}`, integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: 'http://127.0.0.1:9/api', incomingWebhook } });

  const deliver = (integrationId: string, body: string, headers: Record<string, string>) =>
    hub.request(`/api/webhooks/incoming/${integrationId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  async function events(integrationId: string): Promise<IncomingEvent[]> {
    const response = await hub.request(`/api/integrations/${integrationId}/incoming-events?pageSize=100`, { key: adminKey });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: IncomingEvent[] }).items;
  }

  const stripeEvent = (id = `evt_${randomUUID().replace(/-/g, '')}`) => JSON.stringify({ id, object: 'event', type: 'charge.refunded', data: { object: { amount: 500 } } });
  const stripeHeader = (payload: string, timestamp = Math.floor(Date.now() / 1000), secret = stripeSecret) =>
    stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

  it('accepts a Stripe-signed event once, acknowledges its replay as a duplicate, and processes it in the worker', async () => {
    const integrationId = await stripeIntegration();
    const payload = stripeEvent();
    const first = await deliver(integrationId, payload, { 'stripe-signature': stripeHeader(payload) });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });

    const again = await deliver(integrationId, payload, { 'stripe-signature': stripeHeader(payload) });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });

    const stored = await eventually(async () => {
      const list = await events(integrationId);
      expect(list).toHaveLength(1);
      expect(list[0].status).toBe('Processed');
      return list[0];
    }, 10_000, 100);
    expect(stored).toMatchObject({ eventType: 'charge.refunded', dedupeKey: JSON.parse(payload).id, body: payload, verified: true });
  });

  it('stores a burst of concurrent redeliveries once, and many different events each once', async () => {
    const integrationId = await stripeIntegration();
    const payload = stripeEvent();
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(integrationId, payload, { 'stripe-signature': stripeHeader(payload) })));
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as Array<{ duplicate: boolean }>;
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);

    const distinct = Array.from({ length: 40 }, () => stripeEvent());
    const results = await Promise.all(distinct.map((p) => deliver(integrationId, p, { 'stripe-signature': stripeHeader(p) }).then((r) => r.json() as Promise<{ duplicate: boolean }>)));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(await events(integrationId)).toHaveLength(41);
  });

  it('refuses tampered, wrongly signed, stale and unsigned Stripe events and stores none of them', async () => {
    const integrationId = await stripeIntegration();
    const payload = stripeEvent();
    const cases: Array<[string, Record<string, string>, string]> = [
      [payload.replace('500', '50000'), { 'stripe-signature': stripeHeader(payload) }, 'bad_signature'],
      [payload, { 'stripe-signature': stripeHeader(payload, undefined, 'whsec_someoneElse1') }, 'bad_signature'],
      [payload, { 'stripe-signature': stripeHeader(payload, Math.floor(Date.now() / 1000) - 600) }, 'stale_timestamp'],
      [payload, {}, 'missing_signature'],
      [payload, { 'stripe-signature': 't=abc,v1=zz' }, 'malformed_signature'],
    ];
    for (const [body, headers, reason] of cases) {
      const response = await deliver(integrationId, body, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { reason: string; detail: string };
      expect(problem.reason).toBe(reason);
      expect(problem.detail).not.toContain(stripeSecret);
    }
    expect(await events(integrationId)).toHaveLength(0);
  });

  it('verifies GitHub deliveries signed by @octokit/webhooks-methods and dedupes on X-GitHub-Delivery', async () => {
    const secret = 'gh-secret-value';
    const integrationId = await customIntegration({ scheme: 'github', secrets: [secret] });
    const payload = JSON.stringify({ action: 'opened', number: 7 });
    const headers = { 'x-hub-signature-256': signLikeGitHub(secret, payload), 'x-github-event': 'pull_request', 'x-github-delivery': randomUUID() };
    expect((await deliver(integrationId, payload, headers)).status).toBe(200);
    expect(await (await deliver(integrationId, payload, headers)).json()).toMatchObject({ duplicate: true });
    expect((await deliver(integrationId, payload, { ...headers, 'x-hub-signature-256': signLikeGitHub('wrong', payload) })).status).toBe(401);
    const [event] = await events(integrationId);
    expect(event).toMatchObject({ eventType: 'pull_request.opened', dedupeKey: headers['x-github-delivery'] });
  });

  it('stores a resent GitHub delivery whose unsigned id and event name exceed their columns, and fails none of the callbacks beside it', async () => {
    // X-GitHub-Delivery and X-GitHub-Event are not signed: anyone holding one signed delivery can resend it with others.
    const secret = 'gh-secret-value';
    const integrationId = await customIntegration({ scheme: 'github', secrets: [secret] });
    const neighbour = await stripeIntegration();
    const payload = JSON.stringify({ action: 'opened', number: 8 });
    const deliveryId = 'd'.repeat(400);
    const headers = { 'x-hub-signature-256': signLikeGitHub(secret, payload), 'x-github-event': 'e'.repeat(400), 'x-github-delivery': deliveryId };
    const others = Array.from({ length: 5 }, () => stripeEvent());
    const answers = await Promise.all([deliver(integrationId, payload, headers), ...others.map((p) => deliver(neighbour, p, { 'stripe-signature': stripeHeader(p) }))]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await (await deliver(integrationId, payload, headers)).json()).toMatchObject({ duplicate: true });

    const stored = await events(integrationId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ dedupeKey: `sha256:${createHash('sha256').update(deliveryId).digest('hex')}`, eventType: 'e'.repeat(200) });
    expect(await events(neighbour)).toHaveLength(5);
  });

  it('bounds a generic HMAC delivery id taken from an unsigned header', async () => {
    const integrationId = await customIntegration({ scheme: 'hmac', secrets: ['hmac-key'], hmac: { header: 'X-Signature', idHeader: 'X-Delivery-Id' } });
    const signed = (id: number) => {
      const payload = JSON.stringify({ event: 'contact.updated', id });
      return { payload, signature: createHmac('sha256', 'hmac-key').update(payload).digest('hex') };
    };
    const [first, second] = [signed(43), signed(44)];
    const deliveryId = 'x'.repeat(301);
    expect((await deliver(integrationId, first.payload, { 'x-signature': first.signature, 'x-delivery-id': deliveryId })).status).toBe(200);
    expect((await deliver(integrationId, second.payload, { 'x-signature': second.signature, 'x-delivery-id': 'x'.repeat(300) })).status).toBe(200);
    expect((await events(integrationId)).map((e) => e.dedupeKey).sort()).toEqual([`sha256:${createHash('sha256').update(deliveryId).digest('hex')}`, 'x'.repeat(300)]);
  });

  it('still dedupes a generic HMAC provider on its ids, and takes bodies that differ as distinct events', async () => {
    const integrationId = await customIntegration({ scheme: 'hmac', secrets: ['hmac-ids'], hmac: { header: 'X-Signature', idHeader: 'X-Delivery-Id' } });
    const send = (payload: string, id: string) =>
      deliver(integrationId, payload, { 'x-signature': createHmac('sha256', 'hmac-ids').update(payload).digest('hex'), 'x-delivery-id': id }).then((r) => r.json());
    // Two updates of one record: told apart by their bodies, as the signature covers nothing else.
    const first = JSON.stringify({ event: 'contact.updated', id: 42, at: '2026-01-01T00:00:00Z' });
    const second = JSON.stringify({ event: 'contact.updated', id: 42, at: '2026-01-01T00:05:00Z' });
    expect(await send(first, 'upd-1')).toEqual({ received: true, duplicate: false });
    expect(await send(second, 'upd-2')).toEqual({ received: true, duplicate: false });
    // The provider's retry of upd-2 whose body changed (an attempt counter) is still that event.
    expect(await send(JSON.stringify({ event: 'contact.updated', id: 42, at: '2026-01-01T00:05:00Z', attempt: 2 }), 'upd-2')).toEqual({ received: true, duplicate: true });
    // The same signed bytes under a fresh id: nothing signed tells it from a replay (see the next test).
    expect(await send(first, 'upd-3')).toEqual({ received: true, duplicate: true });
    expect((await events(integrationId)).map((e) => e.dedupeKey).sort()).toEqual(['upd-1', 'upd-2']);
  });

  it.each([
    { scheme: 'github', idHeader: 'x-github-delivery' },
    { scheme: 'hmac', idHeader: 'x-delivery-id' },
  ])('acknowledges a $scheme body resent under a fresh unsigned $idHeader as a duplicate, stored and processed once', async ({ scheme, idHeader }) => {
    // GitHub and the generic HMAC scheme sign neither a timestamp nor their id header: the signed body is all that
    // tells a replay from a new delivery.
    const secret = `${scheme}-replayed-secret`;
    const integrationId = await customIntegration(scheme === 'github' ? { scheme, secrets: [secret] } : { scheme, secrets: [secret], hmac: { header: 'X-Signature', idHeader } });
    const signed = (payload: string, deliveryId: string) => ({
      ...(scheme === 'github' ? { 'x-hub-signature-256': signLikeGitHub(secret, payload), 'x-github-event': 'issues' } : { 'x-signature': createHmac('sha256', secret).update(payload).digest('hex') }),
      [idHeader]: deliveryId,
    });
    const original = JSON.stringify({ action: 'opened', issue: { number: 1 } });
    const originalId = randomUUID();
    expect(await (await deliver(integrationId, original, signed(original, originalId))).json()).toEqual({ received: true, duplicate: false });
    expect(await (await deliver(integrationId, original, signed(original, randomUUID()))).json()).toEqual({ received: true, duplicate: true });

    // Concurrent replays under fresh ids land in one statement: still stored once.
    const burst = JSON.stringify({ action: 'closed', issue: { number: 2 } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => deliver(integrationId, burst, signed(burst, randomUUID())).then((r) => r.json() as Promise<{ duplicate: boolean }>)));
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);

    // A different body under its own id is a new delivery.
    const other = JSON.stringify({ action: 'opened', issue: { number: 3 } });
    expect(await (await deliver(integrationId, other, signed(other, randomUUID()))).json()).toEqual({ received: true, duplicate: false });

    const stored = await eventually(async () => {
      const list = await events(integrationId);
      expect(list.every((e) => e.status === 'Processed')).toBe(true);
      return list;
    }, 10_000, 100);
    expect(stored.map((e) => e.body).sort()).toEqual([original, burst, other].sort());
    expect(stored.find((e) => e.body === original)).toMatchObject({ dedupeKey: originalId });
  });

  it('fails a batch the database refuses with an error that carries neither the SQL nor the bodies', async () => {
    const writer = hub.app.get(InboundEventWriter);
    const refused = {
      tenantId: randomUUID(),
      integrationId: randomUUID(),
      provider: 'Custom',
      scheme: 'hmac',
      // Too long for its column, which the handler no longer lets through: only the writer's own error is looked at.
      dedupeKey: 'k'.repeat(301),
      eventType: null,
      headers: {},
      body: '{"card":"secret-body-marker"}',
      bodySha256: null,
      sourceIp: '127.0.0.1',
      signedAt: null,
      actorRequestId: null,
    };
    const error = (await writer.store(refused).then(() => undefined, (reason: unknown) => reason)) as Error & { cause?: unknown };
    expect(error.message).toContain('code 22001'); // string_data_right_truncation: the fault is still named
    const logged = [error.message, error.stack, JSON.stringify(error), String(error.cause)].join('\n');
    expect(logged).not.toContain('secret-body-marker');
    expect(logged).not.toContain(refused.dedupeKey);
    expect(logged).not.toMatch(/insert into|jsonb_to_recordset/i);
  });

  it('verifies Standard Webhooks, accepting either secret during a rotation and refusing stale ones', async () => {
    const oldSecret = `whsec_${Buffer.from('old standard secret bytes').toString('base64')}`;
    const newSecret = `whsec_${Buffer.from('new standard secret bytes').toString('base64')}`;
    const integrationId = await customIntegration({ scheme: 'standard-webhooks', secrets: [oldSecret, newSecret] });
    const payload = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });
    const signed = (secret: string, id: string, at = new Date()) => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, payload),
    });
    expect((await deliver(integrationId, payload, signed(oldSecret, 'msg_1'))).status).toBe(200);
    expect((await deliver(integrationId, payload, signed(newSecret, 'msg_2'))).status).toBe(200);
    expect((await deliver(integrationId, payload, signed(newSecret, 'msg_3', new Date(Date.now() + 10 * 60_000)))).status).toBe(401);
    expect((await events(integrationId)).map((e) => e.dedupeKey).sort()).toEqual(['msg_1', 'msg_2']);
  });

  it('verifies Standard Webhooks over the raw bytes of a body that is not UTF-8', async () => {
    const key = Buffer.from('raw bytes standard secret');
    const integrationId = await customIntegration({ scheme: 'standard-webhooks', secrets: [`whsec_${key.toString('base64')}`] });
    const notUtf8 = (...bytes: number[]) => Buffer.concat([Buffer.from('{"type":"file.uploaded","data":"'), Buffer.from(bytes), Buffer.from('"}')]);
    const signedOver = (bytes: Buffer, id: string) => {
      const timestamp = Math.floor(Date.now() / 1000);
      const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(bytes).digest('base64');
      return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${mac}` };
    };
    const send = (body: Buffer, headers: Record<string, string>) => hub.request(`/api/webhooks/incoming/${integrationId}`, { method: 'POST', headers, body });
    const sent = notUtf8(0xff);
    expect((await send(sent, signedOver(sent, 'msg_bytes'))).status).toBe(200);
    // Another body with the same UTF-8 reading (U+FFFD) does not borrow its signature.
    expect((await send(notUtf8(0xfe), signedOver(sent, 'msg_other'))).status).toBe(401);
    expect((await events(integrationId)).map((e) => e.dedupeKey)).toEqual(['msg_bytes']);
  });

  it('verifies a generic HMAC scheme as configured', async () => {
    const integrationId = await customIntegration({ scheme: 'hmac', secrets: ['hmac-key'], hmac: { header: 'X-Signature', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' } });
    const payload = JSON.stringify({ event: 'contact.updated', id: 42 });
    const signature = `sha512=${createHmac('sha512', 'hmac-key').update(payload).digest('base64')}`;
    expect((await deliver(integrationId, payload, { 'x-signature': signature })).status).toBe(200);
    expect((await deliver(integrationId, `${payload} `, { 'x-signature': signature })).status).toBe(401);
    const [event] = await events(integrationId);
    expect(event).toMatchObject({ eventType: 'contact.updated', dedupeKey: expect.stringMatching(/^sha256:/) });
  });

  it('takes bodies of any content type as their exact bytes, verified over them; other routes still refuse them', async () => {
    const integrationId = await customIntegration({ scheme: 'hmac', secrets: ['hmac-key'], hmac: { header: 'X-Signature' } });
    const bodies: Array<[string | undefined, string]> = [
      ['text/plain; charset=utf-8', 'contact 42 updated'],
      ['application/xml', '<event type="contact.updated"><id>42</id></event>'],
      ['multipart/form-data; boundary=b0', '--b0\r\ncontent-disposition: form-data; name="event"\r\n\r\ncontact.updated\r\n--b0--\r\n'],
      [undefined, 'no content type at all'],
    ];
    for (const [contentType, body] of bodies) {
      const signature = createHmac('sha256', 'hmac-key').update(body).digest('hex');
      const headers: Record<string, string> = { 'x-signature': signature, ...(contentType ? { 'content-type': contentType } : {}) };
      const sent = await hub.request(`/api/webhooks/incoming/${integrationId}`, { method: 'POST', headers, body });
      expect({ contentType, status: sent.status }).toEqual({ contentType, status: 200 });
      const forged = await hub.request(`/api/webhooks/incoming/${integrationId}`, { method: 'POST', headers, body: `${body}!` });
      expect({ contentType, status: forged.status }).toEqual({ contentType, status: 401 });
    }
    expect((await events(integrationId)).map((e) => e.body).sort()).toEqual(bodies.map(([, body]) => body).sort());

    const elsewhere = await hub.request('/api/events', { method: 'POST', key: adminKey, headers: { 'content-type': 'text/plain' }, body: 'not json' });
    expect(elsewhere.status).toBe(415);
    expect(elsewhere.headers.get('content-type')).toContain('application/problem+json');
  });

  it('verifies a signed JSON body whose data holds __proto__ or constructor.prototype keys; other routes still refuse them', async () => {
    const integrationId = await stripeIntegration();
    const payload = JSON.stringify({ id: `evt_${randomUUID().replace(/-/g, '')}`, type: 'charge.succeeded', data: { object: { metadata: JSON.parse('{"__proto__":"x","constructor":{"prototype":{"a":1}}}') as unknown } } });
    expect(payload).toContain('"__proto__":"x"');
    const accepted = await deliver(integrationId, payload, { 'stripe-signature': stripeHeader(payload) });
    expect(accepted.status).toBe(200);
    expect((await events(integrationId)).map((e) => e.body)).toEqual([payload]);
    // Unsigned, it is refused for its signature, not for its keys.
    expect((await deliver(integrationId, payload, {})).status).toBe(401);

    const elsewhere = await hub.request('/api/events', { method: 'POST', key: adminKey, headers: { 'content-type': 'application/json' }, body: '{"eventType":"X","data":{"__proto__":{"admin":true}}}' });
    expect(elsewhere.status).toBe(400);
  });

  it('applies the IP allow-list to the client address', async () => {
    // 203.0.113.0/24 is only configuration here (a documentation range): no request goes there.
    const refusing = await stripeIntegration({ incomingWebhook: { allowedIps: ['203.0.113.0/24'] } });
    const allowing = await stripeIntegration({ incomingWebhook: { allowedIps: ['127.0.0.1/32', '::1'] } });
    const payload = stripeEvent();
    expect((await deliver(refusing, payload, { 'stripe-signature': stripeHeader(payload) })).status).toBe(403);
    expect((await deliver(allowing, payload, { 'stripe-signature': stripeHeader(payload) })).status).toBe(200);
    expect(await events(refusing)).toHaveLength(0);
  });

  it('answers 404 alike for unknown integrations and ones that take no webhooks, and hides other tenants', async () => {
    const payload = stripeEvent();
    const unknown = await deliver(randomUUID(), payload, { 'stripe-signature': stripeHeader(payload) });
    const noSecret = await createIntegration({ name: 'No secret', integrationType: 'PaymentGateway', provider: 'Stripe', configuration: { apiKey: 'sk_test_abc123' } });
    const unconfigured = await deliver(noSecret, payload, { 'stripe-signature': stripeHeader(payload) });
    expect(unknown.status).toBe(404);
    expect(unconfigured.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toBe(((await unconfigured.json()) as { detail: string }).detail);

    const other = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Nosy' } });
    const integrationId = await stripeIntegration();
    expect((await hub.request(`/api/integrations/${integrationId}/incoming-events`, { key: other.adminKey.key })).status).toBe(404);
  });

  it('re-publishes a mapped provider event to the tenant\'s outgoing webhooks, once, signed', async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const post = (path: string, body: unknown) =>
        hub.request(path, { method: 'POST', key: adminKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/api/events/types', { name: 'PaymentRefunded', description: 'A provider refunded a payment' })).status).toBe(201);
      const webhook = await post('/api/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, eventTypes: ['PaymentRefunded'] });
      expect(webhook.status).toBe(201);
      const { id: webhookId } = (await webhook.json()) as { id: string };
      const secret = ((await (await hub.request(`/api/webhooks/${webhookId}/secret`, { key: adminKey })).json()) as { secret: string }).secret;

      const integrationId = await stripeIntegration({ incomingWebhook: { republish: { 'charge.refunded': 'PaymentRefunded' } } });
      const payload = stripeEvent();
      expect((await deliver(integrationId, payload, { 'stripe-signature': stripeHeader(payload) })).status).toBe(200);
      expect((await deliver(integrationId, payload, { 'stripe-signature': stripeHeader(payload) })).status).toBe(200); // a replay

      type Republished = { type?: string; data?: { payload?: { id?: string } } };
      const republishedOf = (providerEventId: string) =>
        received.filter((r) => {
          const body = JSON.parse(r.body) as Republished;
          return body.type === 'PaymentRefunded' && body.data?.payload?.id === providerEventId;
        });
      const delivery = await eventually(async () => {
        const events = republishedOf(JSON.parse(payload).id);
        expect(events).toHaveLength(1);
        return events[0];
      }, 15_000, 100);
      const verified = new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>) as { type: string; data: { providerEventType: string; payload: { id: string } } };
      expect(verified.type).toBe('PaymentRefunded');
      expect(verified.data).toMatchObject({ providerEventType: 'charge.refunded', payload: { id: JSON.parse(payload).id } });

      // That the replay sends nothing more cannot be seen as an event. A later provider event goes the same way
      // (stored, processed, republished, delivered): once its delivery has arrived, a second delivery of the first
      // event, queued before it, would have had the same time to arrive.
      const later = stripeEvent();
      expect((await deliver(integrationId, later, { 'stripe-signature': stripeHeader(later) })).status).toBe(200);
      await eventually(async () => expect(republishedOf(JSON.parse(later).id)).toHaveLength(1), 15_000, 100);
      expect(republishedOf(JSON.parse(payload).id)).toHaveLength(1);
      expect(received.filter((r) => (JSON.parse(r.body) as Republished).type === 'PaymentRefunded')).toHaveLength(2);
      expect((await events(integrationId)).map((e) => e.dedupeKey).sort()).toEqual([JSON.parse(payload).id, JSON.parse(later).id].sort());
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  /** An Active CRM integration syncing contacts from `sourceUrl`, whose callbacks (HMAC with `secret`) start syncs. */
  async function crmIntegration(sourceUrl: string, secret: string, syncOn: Record<string, string>): Promise<string> {
    const integrationId = await createIntegration({
      name: `CRM ${randomUUID()}`,
      integrationType: 'CustomAPI',
      provider: 'Custom',
      configuration: {
        baseUrl: sourceUrl,
        healthPath: '/health',
        sync: { resources: [{ entity: 'contacts', path: '/contacts', idField: 'id', updatedAtField: 'updatedAt', recordsField: 'data', totalField: 'total', updatedSinceParam: 'updatedSince', pagination: { type: 'cursor', nextCursorField: 'nextCursor' } }] },
        incomingWebhook: { scheme: 'hmac', secrets: [secret], hmac: { header: 'X-Signature' }, syncOn },
      },
    });
    const tested = await hub.request(`/api/integrations/${integrationId}/test`, { method: 'POST', key: adminKey });
    expect(tested.status).toBeLessThan(300);
    return integrationId;
  }

  async function syncJobs(integrationId: string): Promise<Array<{ syncType: string; direction: string }>> {
    const response = await hub.request(`/api/datasyncs?integrationId=${integrationId}`, { key: adminKey });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Array<{ syncType: string; direction: string }> }).items;
  }

  it('starts an import of the integration when the provider reports a change (syncOn), once an hour at most', async () => {
    const source = new FakeSyncSource();
    const sourceUrl = await source.start();
    try {
      source.records.set('c1', { id: 'c1', name: 'Ada', updatedAt: '2026-01-01T00:00:00.000Z' });
      const secret = 'crm-hook-secret';
      const integrationId = await crmIntegration(sourceUrl, secret, { 'contact.updated': 'Incremental' });
      for (const id of [1, 2]) {
        const payload = JSON.stringify({ event: 'contact.updated', contactId: 'c1', delivery: id });
        const signature = createHmac('sha256', secret).update(payload).digest('hex');
        expect((await deliver(integrationId, payload, { 'x-signature': signature })).status).toBe(200);
      }
      // The jobs are read after both callbacks are Processed (their reactions, which start syncs, have run), so a
      // second job would be seen.
      await eventually(async () => {
        const processed = await events(integrationId);
        expect(processed.map((e) => e.status)).toEqual(['Processed', 'Processed']);
      }, 15_000, 100);
      const jobs = await syncJobs(integrationId);
      expect(jobs).toEqual([expect.objectContaining({ syncType: 'Incremental', direction: 'Import' })]);
    } finally {
      await source.stop();
    }
  });

  it('starts one sync per stored provider event however often its reaction runs, where no frequency rule would stop a second (Differential)', async () => {
    // Bull runs a reaction at least once: after a crash, a lost acknowledgement or a failure in a later handler.
    const source = new FakeSyncSource();
    const sourceUrl = await source.start();
    try {
      const integrationId = await crmIntegration(sourceUrl, 'crm-differential-secret', { 'contact.updated': 'Differential' });
      const receiver = (await hub.app.get(IncomingSettingsCache).receiverFor(integrationId))!;
      const reaction = hub.app.get(StartSyncOnProviderEvent, { strict: false });
      const storedEvent = () =>
        Object.assign(new InboundWebhookEvent(), { id: randomUUID(), tenantId: receiver.tenantId, integrationId, provider: 'Custom', scheme: 'hmac', eventType: 'contact.updated' });

      const event = storedEvent();
      await Promise.all([reaction.handle(event, receiver), reaction.handle(event, receiver)]);
      await reaction.handle(event, receiver);
      expect(await syncJobs(integrationId)).toEqual([expect.objectContaining({ syncType: 'Differential', direction: 'Import' })]);

      await reaction.handle(storedEvent(), receiver);
      expect(await syncJobs(integrationId)).toHaveLength(2);
    } finally {
      await source.stop();
    }
  });

  it('refuses an integration whose receiving settings are wrong, naming the field', async () => {
    const response = await hub.request('/api/integrations', {
      method: 'POST',
      key: adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bad receiver', integrationType: 'CustomAPI', provider: 'Custom', configuration: { baseUrl: 'http://127.0.0.1:9/api', incomingWebhook: { scheme: 'md5', allowedIps: ['not-an-ip'] } } }),
    });
    expect(response.status).toBe(400);
    const fields = ((await response.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['configuration.incomingWebhook.scheme', 'configuration.incomingWebhook.secrets', 'configuration.incomingWebhook.allowedIps']));
  });

  it('refuses an allowedIps that is no list with a 400 naming it, on create and on update', async () => {
    const send = (path: string, method: string, body: unknown) => hub.request(path, { method, key: adminKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const fieldsOf = async (response: Response) => {
      expect(response.status).toBe(400);
      return ((await response.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    };
    const configuration = (allowedIps: unknown) => ({ apiKey: 'sk_test_abc123', webhookSecret: stripeSecret, incomingWebhook: { allowedIps } });
    const created = await send('/api/integrations', 'POST', { name: `Stripe ${randomUUID()}`, integrationType: 'PaymentGateway', provider: 'Stripe', configuration: configuration(5) });
    expect(await fieldsOf(created)).toEqual(['configuration.incomingWebhook.allowedIps']);
    const integrationId = await stripeIntegration();
    expect(await fieldsOf(await send(`/api/integrations/${integrationId}`, 'PUT', { configuration: configuration({}) }))).toEqual(['configuration.incomingWebhook.allowedIps']);
  });

  it('refuses a Standard Webhooks secret that is not base64 on create and on update, naming the field and not echoing it', async () => {
    const usable = `whsec_${Buffer.from('a usable standard secret').toString('base64')}`;
    const unusable = 'not-base64-secret!';
    const configuration = (secrets: string[]) => ({ baseUrl: 'http://127.0.0.1:9/api', incomingWebhook: { scheme: 'standard-webhooks', secrets } });
    const send = (path: string, method: string, body: unknown) => hub.request(path, { method, key: adminKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const refusedWith = async (response: Response) => {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const text = await response.text();
      expect(text).not.toContain(unusable);
      return (JSON.parse(text) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    };

    const base = { name: `Standard ${randomUUID()}`, integrationType: 'CustomAPI', provider: 'Custom' };
    expect(await refusedWith(await send('/api/integrations', 'POST', { ...base, configuration: configuration([unusable, usable]) }))).toEqual(['configuration.incomingWebhook.secrets']);
    const integrationId = await customIntegration({ scheme: 'standard-webhooks', secrets: [usable] });
    expect(await refusedWith(await send(`/api/integrations/${integrationId}`, 'PUT', { configuration: configuration([unusable]) }))).toEqual(['configuration.incomingWebhook.secrets']);
  });

  it('refuses oversized and malformed bodies with the right 4xx and stores nothing', async () => {
    const integrationId = await stripeIntegration();
    const big = JSON.stringify({ id: 'evt_big', type: 'x', pad: 'x'.repeat(1_050_000) });
    expect((await deliver(integrationId, big, { 'stripe-signature': stripeHeader(big) })).status).toBe(413);
    const broken = '{"id": "evt_broken", ';
    expect((await deliver(integrationId, broken, { 'stripe-signature': stripeHeader(broken) })).status).toBe(400);
    expect(await events(integrationId)).toHaveLength(0);
  });
});
