import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import type { IntegrationHubClient } from '../../sdk/dist';
import { errorOf, eventually, startTestApp, TestApp } from '../support/test-app';
import { lockWaiters, whileCommitting as lockedWhileCommitting } from '../support/lock-waits';
import { RevokeExpiredApiKeysCommand } from '../../src/modules/api-keys/commands/revoke-expired-api-keys/revoke-expired-api-keys.command';

/**
 * A rotation, update or revocation of an API key against another change of the same key that commits while the
 * request is under way. The competing change holds the key's row until the request waits on it, so the
 * interleaving is the same on every run: the request must act on what the other change committed.
 */
describe('changing an API key while another change of it commits', () => {
  let api: TestApp;
  let admin: IntegrationHubClient;

  const db = () => api.app.get(EntityManager).fork().getConnection();

  beforeAll(async () => {
    api = await startTestApp({ PROCESS_ROLE: 'api' });
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: `Key races ${randomUUID()}` } });
    admin = api.client(tenant.adminKey.key);
  });

  afterAll(() => api.close());

  async function newKey(): Promise<string> {
    const key = await admin.apiKeys.generateApiKey({ requestBody: { keyName: `Racing ${randomUUID()}`, scopes: ['integration:read', 'webhook:manage'] } });
    return key.id;
  }

  const whileCommitting = <T>(change: string, params: unknown[], request: () => Promise<T>): Promise<T> =>
    lockedWhileCommitting(api.app.get(EntityManager), 'api_key', change, params, request);

  const row = async (id: string) =>
    (await db().execute<Array<{ rotated_to_id: string | null; revocation_reason: string | null; key_name: string; scopes: string[] }>>('SELECT * FROM api_key WHERE id = ?', [id]))[0];

  it.each([0, 60])('refuses a second rotation (grace period %is) that started before the first committed', async (gracePeriodSeconds) => {
    const keyId = await newKey();
    const firstReplacement = randomUUID();
    const keysBefore = await db().execute<Array<{ n: string }>>('SELECT count(*) AS n FROM api_key');
    const second = await whileCommitting(`UPDATE api_key SET rotated_to_id = ?, modified_at = now() WHERE id = ?`, [firstReplacement, keyId], () =>
      errorOf(admin.apiKeys.rotateApiKey({ id: keyId, requestBody: { gracePeriodSeconds } })),
    );
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('api_key.already_rotated');
    expect((await row(keyId)).rotated_to_id).toBe(firstReplacement);
    // No second replacement: every live key stays tracked, and counted under BR-AK-03.
    expect(await db().execute('SELECT count(*) AS n FROM api_key')).toEqual(keysBefore);
  });

  it('gives the replacement the scopes a narrowing that committed during the rotation left (BR-AK-06)', async () => {
    const keyId = await newKey();
    const rotated = await whileCommitting(`UPDATE api_key SET scopes = '["integration:read"]' WHERE id = ?`, [keyId], () =>
      admin.apiKeys.rotateApiKey({ id: keyId, requestBody: { gracePeriodSeconds: 60 } }),
    );
    expect(rotated.current.scopes).toEqual(['integration:read']);
    expect((await row(rotated.current.id)).scopes).toEqual(['integration:read']);
  });

  it('does not change a key that a revocation committed during the update (BR-AK-07)', async () => {
    const keyId = await newKey();
    const update = await whileCommitting(`UPDATE api_key SET is_active = false, revoked_at = now(), revocation_reason = 'Leaked' WHERE id = ?`, [keyId], () =>
      errorOf(admin.apiKeys.updateApiKey({ id: keyId, requestBody: { keyName: 'Renamed', scopes: ['integration:read'] } })),
    );
    expect(update.status).toBe(409);
    expect(update.body.code).toBe('api_key.revoked');
    expect(await row(keyId)).toMatchObject({ key_name: expect.stringMatching(/^Racing /), scopes: ['integration:read', 'webhook:manage'] });
  });

  it('leaves an expired key to a revocation under way when the hourly expiry runs: one revocation, its reason (BR-AK-07)', async () => {
    const keyId = await newKey();
    await db().execute("UPDATE api_key SET expires_at = now() - interval '1 minute' WHERE id = ?", [keyId]);
    const competing = await api.app.get(EntityManager).getConnection().getKnex().transaction();
    try {
      await competing.raw(`UPDATE api_key SET is_active = false, revoked_at = now(), revocation_reason = 'Leaked' WHERE id = ?`, [keyId]);
      const run = api.app.get(CommandBus).execute(new RevokeExpiredApiKeysCommand());
      run.catch(() => undefined); // awaited below, after the commit
      // The run either passes the key by or waits for its row; either way, the revocation commits first.
      await Promise.race([run, eventually(async () => expect(await lockWaiters(api.app.get(EntityManager), 'api_key')).toBe(1), 10_000)]);
      await competing.commit();
      await run;
    } finally {
      if (!competing.isCompleted()) await competing.rollback();
    }
    expect((await row(keyId)).revocation_reason).toBe('Leaked');
    // The SQL revocation above wrote no event: any the key has, the run wrote.
    const revokedEvents = await db().execute("SELECT 1 FROM outbox_message WHERE event_type = 'APIKeyRevoked' AND aggregate_id = ?", [keyId]);
    expect(revokedEvents).toHaveLength(0);
  });

  it('revokes a key once: a second revocation that started before the first committed is refused', async () => {
    const keyId = await newKey();
    const second = await whileCommitting(`UPDATE api_key SET is_active = false, revoked_at = now(), revocation_reason = 'Leaked' WHERE id = ?`, [keyId], () =>
      errorOf(admin.apiKeys.revokeApiKey({ id: keyId, reason: 'Tidying up' })),
    );
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('api_key.revoked');
    expect((await row(keyId)).revocation_reason).toBe('Leaked');
  });
});
