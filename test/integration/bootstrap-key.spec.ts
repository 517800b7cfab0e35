import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { SCOPES } from '../../src/common/auth/scopes';
import { ConfigError } from '../../src/common/config/app-config';
import { dropDatabase } from '../../src/common/database/ensure-database';
import { EnsureBootstrapKeyCommand } from '../../src/modules/api-keys/commands/ensure-bootstrap-key/ensure-bootstrap-key.command';
import { hashApiKey } from '../../src/modules/api-keys/domain/api-key-token';
import { eventually, startTestApp, TestApp } from '../support/test-app';

/**
 * BOOTSTRAP_API_KEY at start-up, run as the start-up runs it (starting the service, or its command), on a
 * database of its own: changing the value revokes the one it replaces for good (BR-AK-07), so these tests
 * cannot hand the run's value back to the run's other suites. The key follows the scope list as it grows, an
 * operator rotates the value on a running system, and a value whose key was revoked is refused.
 */
describe('the bootstrap key', () => {
  let database: string;
  const running: TestApp[] = [];
  /** The app started last: its BOOTSTRAP_API_KEY is the current one. */
  let live: TestApp;

  const secret = (name: string) => `${name}-${randomBytes(24).toString('hex')}`;

  /** A replica of the service on this spec's database, started with `bootstrapKey` as its environment's value. */
  async function start(bootstrapKey: string): Promise<TestApp> {
    const app = await startTestApp({ PROCESS_ROLE: 'api', DATABASE_URL: database, MIGRATE_ON_START: 'true', BOOTSTRAP_API_KEY: bootstrapKey });
    running.push(app);
    live = app;
    return app;
  }

  beforeAll(async () => {
    // Named after the run's database, so it says "test" like every database a run drops.
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `${url.pathname}_bootstrap_${randomBytes(3).toString('hex')}`;
    database = url.toString();
    await start(secret('first'));
  });

  afterAll(async () => {
    for (const app of running) await app.close();
    await dropDatabase(database);
  });

  const ensure = (app: TestApp, token: string) => app.app.get(CommandBus).execute(new EnsureBootstrapKeyCommand(token));
  const sql = <T>(query: string, params: unknown[] = []) => live.app.get(EntityManager).getConnection().execute<T[]>(query, params);
  const rowsOf = (token: string) => sql<{ is_active: boolean; scopes: string[] }>('SELECT is_active, scopes FROM api_key WHERE key_hash = ?', [hashApiKey(token)]);
  const bootstrapRows = () =>
    sql<{ id: string; key_hash: string; is_active: boolean; scopes: string[]; revoked_at: Date | null }>(
      'SELECT id, key_hash, is_active, scopes, revoked_at FROM api_key WHERE is_bootstrap ORDER BY created_at, id',
    );

  async function callerScopes(app: TestApp, token: string): Promise<string[] | number> {
    const answer = await app.request('/api/me', { key: token });
    return answer.status === 200 ? ((await answer.json()) as { scopes: string[] }).scopes : answer.status;
  }

  it('gains the scopes added since it was made, platform:admin included', async () => {
    // A key made when the scope list was shorter.
    await sql(`UPDATE api_key SET scopes = '["integration:read"]' WHERE key_hash = ?`, [hashApiKey(live.bootstrapKey)]);
    await ensure(live, live.bootstrapKey);
    expect((await rowsOf(live.bootstrapKey))[0].scopes).toEqual([...SCOPES].sort());
    expect(await callerScopes(live, live.bootstrapKey)).toEqual(expect.arrayContaining([...SCOPES]));
  });

  it('rotates on a running system: the old value stops on every replica, the new one holds every scope and survives restarts', async () => {
    const old = live;
    expect(await callerScopes(old, old.bootstrapKey)).toEqual(expect.arrayContaining(['platform:admin']));

    // The new environment deployed beside the old one.
    const rotated = await start(secret('rotated'));
    expect(await callerScopes(rotated, rotated.bootstrapKey)).toEqual(expect.arrayContaining([...SCOPES]));
    expect(await rowsOf(old.bootstrapKey)).toEqual([{ is_active: false, scopes: [...SCOPES].sort() }]);
    expect(await rowsOf(rotated.bootstrapKey)).toEqual([{ is_active: true, scopes: [...SCOPES].sort() }]);
    // The old replica had the old key cached: the revocation reaches it through Redis.
    await eventually(async () => expect(await callerScopes(old, old.bootstrapKey)).toBe(401));
    const [active] = (await bootstrapRows()).filter((row) => row.is_active);

    // Starts again with the new value (a restart, more replicas), and two replicas running the start-up's command at
    // once: the same key, still the only active one. (Apps stay up until the end: @mikro-orm/nestjs forgets its
    // entities once an app of the process closes.)
    const replicas = [await start(rotated.bootstrapKey), await start(rotated.bootstrapKey)];
    await Promise.all(replicas.map((replica) => ensure(replica, rotated.bootstrapKey)));
    for (const replica of replicas) expect(await callerScopes(replica, rotated.bootstrapKey)).toEqual(expect.arrayContaining(['platform:admin']));
    expect((await bootstrapRows()).filter((row) => row.is_active)).toEqual([active]);
  });

  it('refuses a value whose key was revoked (an old environment deployed again), naming BOOTSTRAP_API_KEY, and changes nothing', async () => {
    const [first] = running;
    // Whatever ran before, the first value is retired now.
    const current = await start(secret('current'));
    const before = await bootstrapRows();
    expect(before.find((row) => row.key_hash === hashApiKey(first.bootstrapKey))).toMatchObject({ is_active: false });

    const refused = (await ensure(current, first.bootstrapKey).catch((error: unknown) => error)) as Error;
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused.message).toMatch(/^BOOTSTRAP_API_KEY .*revoked.*choose a new secret/);
    for (const hidden of [first.bootstrapKey, hashApiKey(first.bootstrapKey)]) expect(refused.message).not.toContain(hidden);

    // Nothing moved: the retired value took no new key, the current one still works, the retired one does not.
    expect(await bootstrapRows()).toEqual(before);
    expect(await callerScopes(current, current.bootstrapKey)).toEqual(expect.arrayContaining(['platform:admin']));
    expect(await callerScopes(first, first.bootstrapKey)).toBe(401);
  });

  it('refuses to start with the secret of a key made through the API, naming BOOTSTRAP_API_KEY, and changes nothing', async () => {
    const tenant = await live.client(live.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Pasted Key' } });
    const pasted = () =>
      sql<{ id: string; is_active: boolean; is_bootstrap: boolean; scopes: string[]; tenant_id: string | null; revocation_reason: string | null }>(
        'SELECT id, is_active, is_bootstrap, scopes, tenant_id, revocation_reason FROM api_key WHERE key_hash = ?',
        [hashApiKey(tenant.adminKey.key)],
      );
    const before = await pasted();
    expect(before).toEqual([expect.objectContaining({ is_active: true, is_bootstrap: false, tenant_id: tenant.tenant.id, revocation_reason: null })]);
    const bootstrapBefore = await sql<{ id: string; is_active: boolean }>('SELECT id, is_active FROM api_key WHERE is_bootstrap ORDER BY id');

    await expect(ensure(live, tenant.adminKey.key)).rejects.toThrow(/BOOTSTRAP_API_KEY/);

    // The pasted tenant key is as it was: still active, still the tenant's, not made the bootstrap key, same scopes.
    expect(await pasted()).toEqual(before);
    expect(await sql('SELECT id, is_active FROM api_key WHERE is_bootstrap ORDER BY id')).toEqual(bootstrapBefore);
    expect(before[0].scopes.length).toBeGreaterThan(0);
    expect(await callerScopes(live, tenant.adminKey.key)).toEqual(expect.arrayContaining(before[0].scopes));
    expect(await callerScopes(live, live.bootstrapKey)).toEqual(expect.arrayContaining(['platform:admin']));
  });
});
