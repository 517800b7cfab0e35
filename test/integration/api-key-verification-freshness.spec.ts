import { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '../../sdk/dist';
import { ApiKeyVerifier } from '../../src/modules/api-keys/infrastructure/api-key-verifier';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * What verification reuses instead of hashing or querying again must give way to every change: the key remembered
 * per connection (verifyOn) to another token, an invalidation and the end of its cache entry's TTL; a look-up under
 * way to a revocation that came after it began.
 */
describe('API key verification reuses nothing stale', () => {
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

  it('does not let a request that came after a revocation in on a look-up that began before it', async () => {
    const key = await hub.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Looked up while revoked', scopes: ['integration:read'] } });
    // The first look-up reads the row while the key is still active, then is held before it answers.
    const connection = hub.app.get(EntityManager).getConnection();
    const execute = connection.execute.bind(connection);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let read!: () => void;
    const hasRead = new Promise<void>((resolve) => (read = resolve));
    const spy = jest.spyOn(connection, 'execute').mockImplementationOnce(async (...args: Parameters<typeof connection.execute>) => {
      const rows = await execute(...args);
      read();
      await held;
      return rows;
    });
    try {
      const before = Promise.resolve(verifier.verify(key.key));
      await hasRead;
      await hub.client(adminKey).apiKeys.revokeApiKey({ id: key.id, reason: 'Leaked' });
      const after = Promise.resolve(verifier.verify(key.key)).catch((error: unknown) => error);
      release();
      await expect(after).resolves.toMatchObject({ code: 'auth.invalid_api_key' });
      // The request that came before the revocation is answered from what it read, and that is not cached.
      await expect(before).resolves.toMatchObject({ apiKeyId: key.id });
      await expect(Promise.resolve().then(() => verifier.verify(key.key))).rejects.toMatchObject({ code: 'auth.invalid_api_key' });
    } finally {
      release();
      spy.mockRestore();
    }
  });
});
