import { IntegrationHubClient } from '../../sdk/dist';
import { CommandBus } from '@nestjs/cqrs';
import { RevokeExpiredApiKeysCommand } from '../../src/modules/api-keys/commands/revoke-expired-api-keys/revoke-expired-api-keys.command';
import { errorOf, eventually, startTestApp, TestApp } from '../support/test-app';

/** The API key flows of issue #2, through the generated SDK against the running service. */
describe('API keys through the SDK', () => {
  let hub: TestApp;
  let operator: IntegrationHubClient;
  let tenantAdminKey: string;
  let admin: IntegrationHubClient;

  beforeAll(async () => {
    // Usage is written every 100 ms rather than every 5 s, so the usage test waits for a flush, not for the clock.
    hub = await startTestApp({ API_KEYS_USAGE_FLUSH_MS: '100' });
    operator = hub.client(hub.bootstrapKey);
    const created = await operator.tenants.createTenant({ requestBody: { name: 'Acme Events' } });
    tenantAdminKey = created.adminKey.key;
    admin = hub.client(tenantAdminKey);
    expect(created.adminKey.scopes).not.toContain('platform:admin');
    expect(created.adminKey.scopes).toContain('integration:manage');
  });

  afterAll(() => hub.close());

  it('generates a key that works at once, is shown once and listed without its secret', async () => {
    const created = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Mobile app', scopes: ['integration:read'], rateLimitPerHour: 500 } });
    expect(created.key).toMatch(/^ihk_[0-9A-Za-z]{46}$/);
    expect(created.keyPrefix).toBe(created.key.slice(0, 8));
    expect(created.status).toBe('Active');

    const me = await hub.client(created.key).apiKeys.getCurrentCaller();
    expect(me).toEqual({ apiKeyId: created.id, tenantId: created.tenantId, scopes: ['integration:read'] });

    const listed = await admin.apiKeys.listApiKeys({ pageSize: 100 });
    const entry = listed.items.find((k) => k.id === created.id)!;
    expect(entry).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(JSON.stringify(listed)).not.toMatch(/keyHash/);
    const fetched = await admin.apiKeys.getApiKey({ id: created.id });
    expect(fetched).not.toHaveProperty('key');
  });

  it('records usage in batches: usageCount and lastUsedAt catch up after a flush', async () => {
    const created = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Usage', scopes: ['integration:read'] } });
    const user = hub.client(created.key);
    for (let i = 0; i < 3; i++) await user.apiKeys.getCurrentCaller();
    const fetched = await eventually(async () => {
      const key = await admin.apiKeys.getApiKey({ id: created.id });
      expect(key.usageCount).toBe(3);
      return key;
    }, 20_000, 50);
    expect(fetched.lastUsedAt).not.toBeNull();
  });

  it('rotates: the new key works, the old one until its grace period ends, then reports expiry', async () => {
    // Two rotations: "the old key still works" is checked within an hour's grace, which no slow machine outlasts;
    // the end of a grace period on one of a second, which the test waits for (grace is whole seconds, 1 the least).
    const rotate = async (keyName: string, gracePeriodSeconds: number) => {
      const original = await admin.apiKeys.generateApiKey({ requestBody: { keyName, scopes: ['integration:read'] } });
      const rotated = await admin.apiKeys.rotateApiKey({ id: original.id, requestBody: { gracePeriodSeconds } });
      expect(rotated.current.key).not.toBe(original.key);
      expect(rotated.previous.rotatedToId).toBe(rotated.current.id);
      expect(await hub.client(rotated.current.key).apiKeys.getCurrentCaller()).toMatchObject({ apiKeyId: rotated.current.id });
      return { original, rotated };
    };

    const inGrace = await rotate('Rotating', 3600);
    expect(await hub.client(inGrace.original.key).apiKeys.getCurrentCaller()).toMatchObject({ apiKeyId: inGrace.original.id });

    // Polled from the start: the key is looked up once and then judged from the verifier's cache, as a key in use
    // when its grace ends is.
    const { original } = await rotate('Rotating briefly', 1);
    const expired = await eventually(() => errorOf(hub.client(original.key).apiKeys.getCurrentCaller()), 20_000, 50);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('auth.expired_api_key');
    expect(expired.body.detail).toMatch(/expired/);
    // The one in its hour of grace still works.
    expect(await hub.client(inGrace.original.key).apiKeys.getCurrentCaller()).toMatchObject({ apiKeyId: inGrace.original.id });

    const again = await errorOf(admin.apiKeys.rotateApiKey({ id: original.id, requestBody: {} }));
    expect(again.status).toBe(409);

    // The body is optional: without it, the default grace period (24 h) keeps the old key working.
    const byDefault = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Rotating by default', scopes: ['integration:read'] } });
    const rotatedByDefault = await admin.apiKeys.rotateApiKey({ id: byDefault.id });
    expect(Date.parse(rotatedByDefault.previous.expiresAt!) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(await hub.client(byDefault.key).apiKeys.getCurrentCaller()).toMatchObject({ apiKeyId: byDefault.id });
  });

  it('still says "expired" once the hourly job has revoked an expired key, and will not rotate an expired key', async () => {
    // Real time passes here (about a second and a half): the expiry comes from the request, and must be in the future.
    const expiring = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Expiring', scopes: ['integration:read'], expiresAt: new Date(Date.now() + 1500).toISOString() } });
    const expired = await eventually(() => errorOf(hub.client(expiring.key).apiKeys.getCurrentCaller()), 20_000, 50);
    expect(expired.body.code).toBe('auth.expired_api_key');

    const rotation = await errorOf(admin.apiKeys.rotateApiKey({ id: expiring.id, requestBody: {} }));
    expect(rotation.status).toBe(409);
    expect(rotation.body.code).toBe('api_key.expired');

    // A key whose row another transaction holds at that moment (its usage being written, every 100 ms here) is
    // skipped (SKIP LOCKED) and taken by the next run.
    await eventually(async () => {
      await hub.app.get(CommandBus).execute(new RevokeExpiredApiKeysCommand());
      expect(await admin.apiKeys.getApiKey({ id: expiring.id })).toMatchObject({ status: 'Revoked', revocationReason: 'Expired' });
    }, 10_000, 100);
    const afterSweep = await errorOf(hub.client(expiring.key).apiKeys.getCurrentCaller());
    expect(afterSweep.status).toBe(401);
    expect(afterSweep.body.code).toBe('auth.expired_api_key');
  });

  it('rotation with no grace period revokes the old key at once', async () => {
    const original = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Rotate now', scopes: ['integration:read'] } });
    const rotated = await admin.apiKeys.rotateApiKey({ id: original.id, requestBody: { gracePeriodSeconds: 0 } });
    expect(rotated.previous.status).toBe('Revoked');
    const refused = await errorOf(hub.client(original.key).apiKeys.getCurrentCaller());
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('auth.invalid_api_key');
  });

  it('revokes with a reason; the key is refused and cannot be revoked or changed again', async () => {
    const created = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'To revoke', scopes: ['integration:read'] } });
    const user = hub.client(created.key);
    await user.apiKeys.getCurrentCaller(); // cached as valid on this replica
    const revoked = await admin.apiKeys.revokeApiKey({ id: created.id, reason: 'Leaked' });
    expect(revoked).toMatchObject({ status: 'Revoked', isActive: false, revocationReason: 'Leaked' });

    const refused = await errorOf(user.apiKeys.getCurrentCaller());
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ status: 401, code: 'auth.invalid_api_key' });

    expect((await errorOf(admin.apiKeys.revokeApiKey({ id: created.id }))).status).toBe(409);
    expect((await errorOf(admin.apiKeys.updateApiKey({ id: created.id, requestBody: { rateLimitPerHour: 5 } }))).status).toBe(409);
  });

  it('narrows scopes but never widens them, and never beyond the caller', async () => {
    const created = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Two scopes', scopes: ['integration:read', 'webhook:manage'] } });
    const narrowed = await admin.apiKeys.updateApiKey({ id: created.id, requestBody: { scopes: ['integration:read'], rateLimitPerHour: 42 } });
    expect(narrowed).toMatchObject({ scopes: ['integration:read'], rateLimitPerHour: 42 });

    const widened = await errorOf(admin.apiKeys.updateApiKey({ id: created.id, requestBody: { scopes: ['integration:read', 'webhook:manage'] } }));
    expect(widened.status).toBe(422);
    expect(widened.body.code).toBe('api_key.scopes_expanded');

    const escalation = await errorOf(admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Escalate', scopes: ['platform:admin'] } }));
    expect(escalation.status).toBe(403);
    expect(escalation.body.detail).toContain('platform:admin');
  });

  it('answers 403 naming the missing scope, and 401 for missing or mistyped keys', async () => {
    const reader = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Reader', scopes: ['integration:read'] } });
    const forbidden = await errorOf(hub.client(reader.key).apiKeys.listApiKeys({}));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toContain('integration:manage');

    const missing = await hub.request('/api/apikeys');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(((await missing.json()) as { code: string }).code).toBe('auth.missing_api_key');

    const typo = reader.key.slice(0, -1) + (reader.key.endsWith('A') ? 'B' : 'A');
    const mistyped = await errorOf(hub.client(typo).apiKeys.getCurrentCaller());
    expect(mistyped.status).toBe(401);
  });

  it("hides other tenants' keys exactly as missing ones", async () => {
    const other = await operator.tenants.createTenant({ requestBody: { name: 'Other Co' } });
    const theirs = await hub.client(other.adminKey.key).apiKeys.generateApiKey({ requestBody: { keyName: 'Theirs', scopes: ['integration:read'] } });
    const cross = await errorOf(admin.apiKeys.getApiKey({ id: theirs.id }));
    const none = await errorOf(admin.apiKeys.getApiKey({ id: '6f1f1b7e-2c35-4a8e-9d8e-3b1c7a9d0e11' }));
    expect(cross.status).toBe(404);
    expect(cross.body.detail).toBe(none.body.detail);
    expect((await errorOf(admin.apiKeys.revokeApiKey({ id: theirs.id }))).status).toBe(404);
    expect((await hub.client(other.adminKey.key).apiKeys.getApiKey({ id: theirs.id })).status).toBe('Active');
  });

  it('rate limits per key per hour with 429, Retry-After and RateLimit-* headers', async () => {
    const limited = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Limited', scopes: ['integration:read'], rateLimitPerHour: 3 } });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await hub.request('/api/me', { key: limited.key });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-limit')).toBe('3');
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect(((await last!.json()) as { code: string }).code).toBe('auth.rate_limited');
  });

  it('refuses a body sent with a revocation, naming its fields, and leaves the key active', async () => {
    const kept = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Kept', scopes: ['integration:read'] } });
    const refused = await hub.request(`/api/apikeys/${kept.id}`, { method: 'DELETE', key: tenantAdminKey, headers: { "content-type": "application/json" }, body: JSON.stringify({ reason: "Leaked", bogus: 1 }) });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['reason', 'bogus']);
    expect((await admin.apiKeys.getApiKey({ id: kept.id })).status).toBe('Active');
    // The key is judged first: without one, the body is not looked at.
    const anonymous = await hub.request(`/api/apikeys/${kept.id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'Leaked' }) });
    expect(anonymous.status).toBe(401);
    const revoked = await hub.request(`/api/apikeys/${kept.id}?reason=Leaked`, { method: "DELETE", key: tenantAdminKey });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ status: 'Revoked', revocationReason: 'Leaked' });
  });

  it('spends no budget on a change to the key that leaves its limit as it is', async () => {
    const renamed = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Renamed', scopes: ['integration:read'], rateLimitPerHour: 500 } });
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      remaining.push((await hub.request('/api/me', { key: renamed.key })).headers.get('ratelimit-remaining')!);
      await admin.apiKeys.updateApiKey({ id: renamed.id, requestBody: { keyName: `Renamed ${i}` } });
    }
    expect(remaining).toEqual(['499', '498', '497', '496', '495']);
  });

  it('counts authentications and times requests per route in /metrics, and answers an empty X-API-Key as a missing one', async () => {
    const before = await hub.request('/metrics').then((answer) => answer.text());
    const countOf = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
    const authenticated = /api_key_authentications_total\{outcome="ok"\} (\d+)/;
    const meCount = /http_request_duration_seconds_count\{method="GET",route="\/api\/me",status="200"\} (\d+)/;

    const reader = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Metered', scopes: ['integration:read'] } });
    for (let i = 0; i < 3; i++) expect((await hub.request('/api/me', { key: reader.key })).status).toBe(200);
    const empty = await hub.request('/api/me', { headers: { 'x-api-key': '' } });
    expect(empty.status).toBe(401);
    expect(((await empty.json()) as { code: string }).code).toBe('auth.missing_api_key');

    const after = await hub.request('/metrics').then((answer) => answer.text());
    expect(countOf(after, authenticated) - countOf(before, authenticated)).toBeGreaterThanOrEqual(3);
    expect(countOf(after, meCount) - countOf(before, meCount)).toBeGreaterThanOrEqual(3);
    expect(after).toMatch(/http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/me",status="401"\} [1-9]/);
    expect(after).toMatch(/# TYPE http_request_duration_seconds histogram\n/);
  });

  it('enforces the active key limit per tenant with 409 (BR-AK-03)', async () => {
    const small = await operator.tenants.createTenant({ requestBody: { name: 'Small', maxActiveApiKeys: 2 } });
    const smallAdmin = hub.client(small.adminKey.key);
    await smallAdmin.apiKeys.generateApiKey({ requestBody: { keyName: 'Second', scopes: ['integration:read'] } });
    const third = await errorOf(smallAdmin.apiKeys.generateApiKey({ requestBody: { keyName: 'Third', scopes: ['integration:read'] } }));
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('api_key.limit_reached');
    const keys = await smallAdmin.apiKeys.listApiKeys({ status: 'Active' });
    expect(keys.total).toBe(2);
  });

  it('rejects bad input with problems that name the field and changes nothing', async () => {
    const before = (await admin.apiKeys.listApiKeys({})).total;
    const cases: Array<[unknown, string]> = [
      [{ keyName: '', scopes: ['integration:read'] }, 'keyName'],
      [{ keyName: 'x'.repeat(101), scopes: ['integration:read'] }, 'keyName'],
      [{ keyName: 'No scopes', scopes: [] }, 'scopes'],
      [{ keyName: 'Bad scope', scopes: ['events:read'] }, 'scopes'],
      [{ keyName: 'Limit', scopes: ['integration:read'], rateLimitPerHour: 10_001 }, 'rateLimitPerHour'],
      [{ keyName: 'Limit', scopes: ['integration:read'], rateLimitPerHour: '5' }, 'rateLimitPerHour'],
      [{ keyName: 'Unknown field', scopes: ['integration:read'], owner: 'me' }, 'owner'],
      [{ keyName: 'Not a date', scopes: ['integration:read'], expiresAt: 'tomorrow' }, 'expiresAt'],
      // Date would read these as 3 March and 2 January: a day the caller never asked for.
      [{ keyName: 'No such day', scopes: ['integration:read'], expiresAt: '2030-02-31T00:00:00Z' }, 'expiresAt'],
      [{ keyName: 'No such hour', scopes: ['integration:read'], expiresAt: '2030-01-01T24:00:00Z' }, 'expiresAt'],
    ];
    for (const [body, field] of cases) {
      const error = await errorOf(admin.apiKeys.generateApiKey({ requestBody: body as never }));
      expect(error.status).toBe(400);
      expect(error.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const past = await errorOf(admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Past', scopes: ['integration:read'], expiresAt: '2020-01-01T00:00:00Z' } }));
    expect(past.status).toBe(400);
    expect(past.body.detail).toContain('expiresAt');
    expect(past.body.errors).toEqual([{ field: 'expiresAt', messages: ['must be in the future'] }]);

    // Bodies refused before any DTO sees them still name what to fix: the body, or its Content-Type.
    const bodyProblem = async (body: string, contentType = 'application/json') => {
      const response = await hub.request('/api/apikeys', { method: 'POST', key: tenantAdminKey, headers: { 'content-type': contentType }, body });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { code: string; errors: Array<{ field: string; messages: string[] }> };
      return { status: response.status, code: problem.code, field: problem.errors.map((e) => e.field).join(), message: problem.errors[0].messages[0] };
    };
    expect(await bodyProblem('{"keyName":')).toEqual({ status: 400, code: 'malformed_json', field: 'body', message: 'is not valid JSON: it ends before its value does' });
    expect(await bodyProblem('{"keyName":"x",}')).toEqual({ status: 400, code: 'malformed_json', field: 'body', message: 'is not valid JSON from character 15 on (counting from 0)' });
    // V8's message for an unexpected token quotes the body; a credential pasted there must not come back in an error.
    const quoted = await bodyProblem('{"keyName": hunter2-secret}');
    expect(quoted).toMatchObject({ status: 400, code: 'malformed_json', field: 'body' });
    expect(quoted.message).not.toContain('hunter2');
    expect(await bodyProblem('{"__proto__":{"isAdmin":true}}')).toMatchObject({ status: 400, code: 'malformed_json', field: 'body' });
    expect(await bodyProblem('[{"keyName":"x","scopes":["integration:read"]}]')).toEqual({ status: 400, code: 'validation_failed', field: 'body', message: 'must be a JSON object' });
    // null is no body, as for an optional body (a rotation's): here, the required fields are missing.
    expect(await bodyProblem('null')).toMatchObject({ status: 400, code: 'validation_failed', field: 'keyName,scopes' });
    expect(await bodyProblem('keyName: x', 'text/yaml')).toMatchObject({ status: 415, code: 'unsupported_media_type', field: 'content-type' });
    expect(await bodyProblem('keyName: x', 'text')).toMatchObject({ status: 415, code: 'unsupported_media_type', field: 'content-type', message: expect.stringMatching(/^is not a media type/) });

    const impossibleSince = await hub.request('/api/audit?since=2027-04-31T00:00:00Z', { key: tenantAdminKey });
    expect(impossibleSince.status).toBe(400);
    expect(((await impossibleSince.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(['since']);

    const badId = await errorOf(admin.apiKeys.getApiKey({ id: 'not-a-uuid' }));
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe('id');

    const tooBig = await hub.request('/api/apikeys', { method: 'POST', key: tenantAdminKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keyName: 'x'.repeat(2_000_000), scopes: ['integration:read'] }) });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ code: 'payload_too_large', errors: [{ field: 'body', messages: [expect.stringMatching(/larger than the \d+ bytes/)] }] });
    // Five times the limit: answered once read off, where closing the connection at once broke fetch's upload (EPIPE).
    const farTooBig = await hub.request('/api/apikeys', { method: 'POST', key: tenantAdminKey, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keyName: 'x'.repeat(5_500_000), scopes: ['integration:read'] }) });
    expect(farTooBig.status).toBe(413);
    expect(farTooBig.headers.get('connection')).toBe('keep-alive');

    // An update that changes nothing is a client that misread the schema: refused, not recorded as a change.
    const [existing] = (await admin.apiKeys.listApiKeys({})).items;
    const auditedBefore = (await admin.audit.listAuditEntries({ pageSize: 1 })).total;
    const emptyUpdate = await errorOf(admin.apiKeys.updateApiKey({ id: existing.id, requestBody: {} }));
    expect(emptyUpdate.status).toBe(400);
    expect(emptyUpdate.body.errors.map((e: { field: string }) => e.field)).toEqual(['keyName', 'scopes', 'rateLimitPerHour']);
    expect((await admin.apiKeys.getApiKey({ id: existing.id })).modifiedAt).toBe(existing.modifiedAt);
    expect((await admin.audit.listAuditEntries({ pageSize: 1 })).total).toBe(auditedBefore);

    expect((await admin.apiKeys.listApiKeys({})).total).toBe(before);
  });

  it('writes every key operation to the audit trail with who, what, when and from where', async () => {
    const created = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Audited', scopes: ['integration:read'] } });
    await admin.apiKeys.revokeApiKey({ id: created.id, reason: 'Audit test' });
    const me = await admin.apiKeys.getCurrentCaller();
    const trail = await admin.audit.listAuditEntries({ resourceId: created.id });
    expect(trail.items.map((e) => e.action).sort()).toEqual(['APIKeyGenerated', 'APIKeyRevoked']);
    for (const entry of trail.items) {
      expect(entry.actorApiKeyId).toBe(me.apiKeyId);
      expect(entry.ip).toBe('127.0.0.1');
      expect(entry.requestId).toBeTruthy();
    }
    expect(JSON.stringify(trail)).not.toContain(created.key);
  });
});
