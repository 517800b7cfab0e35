import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a fake provider answers, switchable per provider during a test. */
export type FakeMode = 'ok' | 'unauthorized' | 'not-found' | 'server-error' | 'garbage' | 'hang';

export const FAKE_CREDENTIALS = {
  stripeKey: 'sk_test_51FakeKeyForTheIntegrationHubTests',
  paypalClientId: 'fake-paypal-client',
  paypalSecret: 'fake-paypal-secret-value',
  sendgridKey: 'SG.fake-sendgrid-key-with-mail-send',
  sendgridKeyWithoutSend: 'SG.fake-sendgrid-key-read-only',
  twilioSid: 'AC0123456789abcdef0123456789abcdef',
  twilioToken: 'fake-twilio-auth-token-value',
  hubspotToken: 'pat-na1-fake-hubspot-token',
  customToken: 'custom-bearer-token-value',
};

export interface FakeProviders {
  baseUrl: string;
  /** INTEGRATIONS_*_URL variables pointing every provider at this server. */
  env: Record<string, string>;
  setMode(provider: string, mode: FakeMode): void;
  /** Requests seen, as "METHOD /provider/path", in order. */
  requests: string[];
  /** Bearer tokens the calendar fakes received, newest last. */
  bearerTokens: string[];
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, body: string) => { status: number; json?: unknown };

const bearer = (request: IncomingMessage) => /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
const basic = (request: IncomingMessage) => {
  const encoded = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
};
const unauthorized = { status: 401, json: { error: { message: 'Invalid credentials' } } };

/**
 * Small stand-ins for the providers' real APIs (paths, authentication and answer shapes of Stripe, PayPal,
 * SendGrid, Twilio, HubSpot, Google Calendar, Microsoft Graph and a custom REST API), on 127.0.0.1 only.
 * Each provider lives under its own prefix, so one server serves them all.
 */
export async function startFakeProviders(): Promise<FakeProviders> {
  const modes = new Map<string, FakeMode>();
  const requests: string[] = [];
  const bearerTokens: string[] = [];

  const routes: Record<string, Handler> = {
    'GET /stripe/v1/balance': (req) => (bearer(req) === FAKE_CREDENTIALS.stripeKey ? { status: 200, json: { object: 'balance', livemode: false, available: [] } } : unauthorized),
    'POST /stripe/v1/payment_intents': (req, body) => {
      if (bearer(req) !== FAKE_CREDENTIALS.stripeKey) return unauthorized;
      const form = new URLSearchParams(body);
      return form.get('payment_method') === 'pm_card_visa' && form.get('amount') === '100'
        ? { status: 200, json: { id: 'pi_fake_1', object: 'payment_intent', status: 'succeeded', livemode: false } }
        : { status: 400, json: { error: { message: 'Missing payment method' } } };
    },
    'POST /paypal/v1/oauth2/token': (req) =>
      basic(req) === `${FAKE_CREDENTIALS.paypalClientId}:${FAKE_CREDENTIALS.paypalSecret}`
        ? { status: 200, json: { access_token: 'A21AAFakePayPalToken', token_type: 'Bearer', app_id: 'APP-80W284485P519543T', expires_in: 32400 } }
        : { status: 401, json: { error: 'invalid_client', error_description: 'Client Authentication failed' } },
    'POST /paypal/v2/checkout/orders': (req) => (bearer(req) === 'A21AAFakePayPalToken' ? { status: 201, json: { id: '5O190127TN364715T', status: 'CREATED' } } : unauthorized),
    'GET /sendgrid/v3/scopes': (req) => {
      if (bearer(req) === FAKE_CREDENTIALS.sendgridKey) return { status: 200, json: { scopes: ['mail.send', 'user.profile.read'] } };
      if (bearer(req) === FAKE_CREDENTIALS.sendgridKeyWithoutSend) return { status: 200, json: { scopes: ['user.profile.read'] } };
      return { status: 401, json: { errors: [{ message: 'The provided authorization grant is invalid' }] } };
    },
    'POST /sendgrid/v3/mail/send': (req, body) => {
      if (bearer(req) !== FAKE_CREDENTIALS.sendgridKey) return unauthorized;
      const mail = JSON.parse(body) as { mail_settings?: { sandbox_mode?: { enable?: boolean } } };
      // The fake refuses anything but sandbox mode: a test message must never be delivered.
      return mail.mail_settings?.sandbox_mode?.enable ? { status: 200 } : { status: 400, json: { errors: [{ message: 'sandbox only' }] } };
    },
    [`GET /twilio/2010-04-01/Accounts/${FAKE_CREDENTIALS.twilioSid}.json`]: (req) =>
      basic(req) === `${FAKE_CREDENTIALS.twilioSid}:${FAKE_CREDENTIALS.twilioToken}` ? { status: 200, json: { sid: FAKE_CREDENTIALS.twilioSid, status: 'active' } } : { status: 401, json: { code: 20003, message: 'Authenticate' } },
    [`POST /twilio/2010-04-01/Accounts/${FAKE_CREDENTIALS.twilioSid}/Messages.json`]: (req, body) =>
      basic(req) === `${FAKE_CREDENTIALS.twilioSid}:${FAKE_CREDENTIALS.twilioToken}` && new URLSearchParams(body).get('To')
        ? { status: 201, json: { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' } }
        : unauthorized,
    'GET /hubspot/account-info/v3/details': (req) => (bearer(req) === FAKE_CREDENTIALS.hubspotToken ? { status: 200, json: { portalId: 62515, timeZone: 'UTC' } } : unauthorized),
    'GET /hubspot/crm/v3/objects/contacts': (req) => (bearer(req) === FAKE_CREDENTIALS.hubspotToken ? { status: 200, json: { results: [{ id: '1' }] } } : unauthorized),
    'GET /google/users/me/calendarList': (req) => calendar(req, { kind: 'calendar#calendarList', items: [{ id: 'primary' }] }),
    'GET /google/calendars/primary/events': (req) => calendar(req, { kind: 'calendar#events', items: [] }),
    'GET /google/calendars/primary': (req) => calendar(req, { kind: 'calendar#calendar', id: 'primary' }),
    'GET /graph/me/calendars': (req) => calendar(req, { value: [{ id: 'AAMk' }] }),
    'GET /graph/me/events': (req) => calendar(req, { value: [] }),
    'GET /graph/me/calendar': (req) => calendar(req, { id: 'AAMk' }),
    'GET /custom/status': (req) => (bearer(req) === FAKE_CREDENTIALS.customToken || req.headers['x-api-token'] === FAKE_CREDENTIALS.customToken ? { status: 200, json: { ok: true } } : unauthorized),
  };

  /** Calendar APIs accept the JWTs the OAuth mock issues (three dot-separated parts). */
  function calendar(request: IncomingMessage, json: unknown): { status: number; json?: unknown } {
    const token = bearer(request);
    if (!token || token.split('.').length !== 3) return unauthorized;
    bearerTokens.push(token);
    return { status: 200, json };
  }

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0];
      const key = `${request.method} ${path}`;
      requests.push(key);
      const provider = path.split('/')[1];
      const mode = modes.get(provider) ?? 'ok';
      if (mode === 'hang') return; // never answers: the caller's timeout must end it
      if (mode === 'garbage') return void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>definitely not JSON');
      if (mode === 'server-error') return void response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
      if (mode === 'unauthorized') return void response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"revoked"}}');
      if (mode === 'not-found') return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"No such account"}}');
      const route = routes[key];
      const answer = route ? route(request, Buffer.concat(chunks).toString('utf8')) : { status: 404, json: { error: { message: `No route ${key}` } } };
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.json === undefined ? '' : JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    env: {
      INTEGRATIONS_STRIPE_URL: `${baseUrl}/stripe`,
      INTEGRATIONS_PAYPAL_URL: `${baseUrl}/paypal`,
      INTEGRATIONS_SENDGRID_URL: `${baseUrl}/sendgrid`,
      INTEGRATIONS_TWILIO_URL: `${baseUrl}/twilio`,
      INTEGRATIONS_HUBSPOT_URL: `${baseUrl}/hubspot`,
      INTEGRATIONS_GOOGLE_CALENDAR_URL: `${baseUrl}/google`,
      INTEGRATIONS_MICROSOFT_GRAPH_URL: `${baseUrl}/graph`,
    },
    setMode: (provider, mode) => modes.set(provider, mode),
    requests,
    bearerTokens,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
