import { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '../../sdk/dist';
import { ApiKeyVerifier } from '../../src/modules/api-keys/infrastructure/api-key-verifier';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The key remembered per connection (verifyOn) answers only while the cache entry it came from would: it must
 * give way to another token on the same connection, to an invalidation, and to the end of the entry's TTL.
 */
describe('API key verification remembered per connection', () => {
  const TTL_MS = 400;
  let hub: TestApp;
  let verifier: ApiKeyVerifier;
  let adminKey: string;

  beforeAll(async () => {
    hub = await startTestApp({ PROCESS_ROLE: 'api', API_KEYS_CACHE_TTL_MS: String(TTL_MS) });
    verifier = hub.app.get(ApiKeyVerifier);
    adminKey = (await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Kept Alive' } })).adminKey.key;
  });
  afterAll(() => hub.close());

  /** A key, verified once so that it is cached, and so that verifyOn answers synchronously from then on. */
  async function cachedKey(name: string, scopes: Scope[] = ['integration:read']): Promise<{ id: string; key: string }> {
    const key = await hub.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: name, scopes } });
    await verifier.verify(key.key);
    return key;
  }

  it('answers another token on the same connection with its own key', async () => {
    const [first, second] = [await cachedKey('First'), await cachedKey('Second')];
    const connection = {};
    expect(verifier.verifyOn(connection, first.key)).toMatchObject({ apiKeyId: first.id });
    expect(verifier.verifyOn(connection, first.key)).toMatchObject({ apiKeyId: first.id });
    expect(verifier.verifyOn(connection, second.key)).toMatchObject({ apiKeyId: second.id });
    expect(verifier.verifyOn(connection, first.key)).toMatchObject({ apiKeyId: first.id });
  });

  it('gives way to a revocation at once', async () => {
    const key = await cachedKey('Revoked');
    const connection = {};
    expect(verifier.verifyOn(connection, key.key)).toMatchObject({ apiKeyId: key.id });
    await hub.client(adminKey).apiKeys.revokeApiKey({ id: key.id, reason: 'Leaked' });
    await expect(Promise.resolve().then(() => verifier.verifyOn(connection, key.key))).rejects.toMatchObject({ code: 'auth.invalid_api_key' });
  });

  it('lives no longer than the cache entry it came from', async () => {
    const key = await cachedKey('Changed behind its back', ['integration:read', 'webhook:manage']);
    const connection = {};
    expect(verifier.verifyOn(connection, key.key)).toMatchObject({ scopes: ['integration:read', 'webhook:manage'] });
    // Narrowed in the database without an invalidation: only the TTL can bring the change in.
    await hub.app.get(EntityManager).getConnection().execute(`UPDATE api_key SET scopes = '["integration:read"]' WHERE id = ?`, [key.id]);
    expect(verifier.verifyOn(connection, key.key)).toMatchObject({ scopes: ['integration:read', 'webhook:manage'] });
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
    await expect(Promise.resolve(verifier.verifyOn(connection, key.key))).resolves.toMatchObject({ scopes: ['integration:read'] });
  });
});
