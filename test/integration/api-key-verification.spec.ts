import { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKeyToken } from '../../src/modules/api-keys/domain/api-key-token';
import { ApiKeyVerifier } from '../../src/modules/api-keys/infrastructure/api-key-verifier';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Made-up keys against the verifier's caches: they must cost at most one query each and never push a valid key
 * out of the cache. A cache of three keys stands in for the 100,000 of production.
 */
describe('API key verification under made-up keys', () => {
  let hub: TestApp;
  let verifier: ApiKeyVerifier;
  let adminKey: string;
  let lookUps: jest.SpyInstance;

  beforeAll(async () => {
    hub = await startTestApp({ PROCESS_ROLE: 'api', API_KEYS_CACHE_MAX_ENTRIES: '3', API_KEYS_CACHE_TTL_MS: '600000' });
    verifier = hub.app.get(ApiKeyVerifier);
    adminKey = (await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Guessed At' } })).adminKey.key;
    const connection = hub.app.get(EntityManager).getConnection();
    lookUps = jest.spyOn(connection, 'execute');
  });

  beforeEach(() => lookUps.mockClear());
  afterAll(() => hub.close());

  /** Queries of the verifier: the look-up of a key by its hash. */
  const keyQueries = () => lookUps.mock.calls.filter(([sql]) => typeof sql === 'string' && sql.includes('WHERE key_hash')).length;

  async function refused(token: string): Promise<void> {
    await expect(Promise.resolve().then(() => verifier.verify(token))).rejects.toMatchObject({ code: 'auth.invalid_api_key' });
  }

  it('keeps a valid key cached however many unknown keys are tried', async () => {
    const key = await hub.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Valid', scopes: ['integration:read'] } });
    expect((await hub.request('/api/me', { key: key.key })).status).toBe(200);
    expect(verifier.verify(key.key)).not.toBeInstanceOf(Promise); // cached

    for (let i = 0; i < 10; i++) await refused(generateApiKeyToken()); // well-formed, correct checksum, no such key
    for (let i = 0; i < 10; i++) await refused(`not-our-format-${i}-${'x'.repeat(32)}`);

    lookUps.mockClear();
    expect(verifier.verify(key.key)).toMatchObject({ apiKeyId: key.id }); // answered from the cache, synchronously
    expect(keyQueries()).toBe(0);
  });

  it('refuses a key without our prefix, other than the bootstrap key, without a query', async () => {
    await refused('an-operator-style-key-that-is-not-the-bootstrap-one');
    await refused(hub.bootstrapKey.slice(0, -1) + (hub.bootstrapKey.endsWith('0') ? '1' : '0'));
    expect(keyQueries()).toBe(0);
    const answer = await hub.request('/api/me', { key: 'an-operator-style-key-that-is-not-the-bootstrap-one' });
    expect(answer.status).toBe(401);
  });

  it('looks a well-formed unknown key up once, then refuses it from the unknown-key cache', async () => {
    const forged = generateApiKeyToken();
    await refused(forged);
    await refused(forged);
    expect(keyQueries()).toBe(1);
  });

  it('still lets the bootstrap key in, though it is not in our format', async () => {
    const answer = await hub.request('/api/me', { key: hub.bootstrapKey });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { scopes: string[] }).scopes).toContain('platform:admin');
  });
});
