import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { SCOPES } from '../../src/common/auth/scopes';
import { EnsureBootstrapKeyCommand } from '../../src/modules/api-keys/commands/ensure-bootstrap-key/ensure-bootstrap-key.command';
import { hashApiKey } from '../../src/modules/api-keys/domain/api-key-token';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * BOOTSTRAP_API_KEY at start-up, run here as the start-up runs it (the command), against the run's database:
 * the key follows the scope list as it grows, and an operator may go back to an earlier value.
 */
describe('the bootstrap key', () => {
  let hub: TestApp;

  beforeAll(async () => {
    hub = await startTestApp({ PROCESS_ROLE: 'api' });
  });

  // Whatever a test did, the run's other suites start with the run's BOOTSTRAP_API_KEY.
  afterAll(async () => {
    await ensure(hub.bootstrapKey);
    await hub.close();
  });

  const ensure = (token: string) => hub.app.get(CommandBus).execute(new EnsureBootstrapKeyCommand(token));
  const sql = <T>(query: string, params: unknown[] = []) => hub.app.get(EntityManager).getConnection().execute<T[]>(query, params);
  const rowsOf = (token: string) => sql<{ is_active: boolean; scopes: string[] }>('SELECT is_active, scopes FROM api_key WHERE key_hash = ?', [hashApiKey(token)]);

  async function callerScopes(token: string): Promise<string[] | number> {
    const answer = await hub.request('/api/me', { key: token });
    return answer.status === 200 ? ((await answer.json()) as { scopes: string[] }).scopes : answer.status;
  }

  it('gains the scopes added since it was made, platform:admin included', async () => {
    // A key made when the scope list was shorter.
    await sql(`UPDATE api_key SET scopes = '["integration:read"]' WHERE key_hash = ?`, [hashApiKey(hub.bootstrapKey)]);
    await ensure(hub.bootstrapKey);
    expect((await rowsOf(hub.bootstrapKey))[0].scopes).toEqual([...SCOPES].sort());
    expect(await callerScopes(hub.bootstrapKey)).toEqual(expect.arrayContaining([...SCOPES]));
  });

  it('works again after BOOTSTRAP_API_KEY was changed and then set back, while the key of the other value stops', async () => {
    const other = `operator-chosen-${randomBytes(16).toString('hex')}`;
    await ensure(other);
    expect(await callerScopes(hub.bootstrapKey)).toBe(401);
    expect(await rowsOf(other)).toEqual([{ is_active: true, scopes: [...SCOPES].sort() }]);

    await ensure(hub.bootstrapKey);
    expect(await callerScopes(hub.bootstrapKey)).toEqual(expect.arrayContaining(['platform:admin']));
    expect(await rowsOf(other)).toEqual([{ is_active: false, scopes: [...SCOPES].sort() }]);
    // The earlier key stays revoked (BR-AK-07): a new key took the value.
    const bootstrapRows = await sql<{ is_active: boolean; revocation_reason: string | null }>(
      'SELECT is_active, revocation_reason FROM api_key WHERE is_bootstrap ORDER BY created_at',
    );
    expect(bootstrapRows.filter((row) => row.is_active)).toHaveLength(1);
    expect(bootstrapRows.filter((row) => !row.is_active).every((row) => row.revocation_reason === 'BOOTSTRAP_API_KEY changed')).toBe(true);
  });

  it('refuses to start with the secret of a key made through the API, naming BOOTSTRAP_API_KEY, and changes nothing', async () => {
    const tenant = await hub.client(hub.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Pasted Key' } });
    const pasted = () =>
      sql<{ id: string; is_active: boolean; is_bootstrap: boolean; scopes: string[]; tenant_id: string | null; revocation_reason: string | null }>(
        'SELECT id, is_active, is_bootstrap, scopes, tenant_id, revocation_reason FROM api_key WHERE key_hash = ?',
        [hashApiKey(tenant.adminKey.key)],
      );
    const before = await pasted();
    expect(before).toEqual([expect.objectContaining({ is_active: true, is_bootstrap: false, tenant_id: tenant.tenant.id, revocation_reason: null })]);
    const bootstrapBefore = await sql<{ id: string; is_active: boolean }>('SELECT id, is_active FROM api_key WHERE is_bootstrap ORDER BY id');

    await expect(ensure(tenant.adminKey.key)).rejects.toThrow(/BOOTSTRAP_API_KEY/);

    // The pasted tenant key is as it was: still active, still the tenant's, not made the bootstrap key, same scopes.
    expect(await pasted()).toEqual(before);
    expect(await sql('SELECT id, is_active FROM api_key WHERE is_bootstrap ORDER BY id')).toEqual(bootstrapBefore);
    expect(before[0].scopes.length).toBeGreaterThan(0);
    expect(await callerScopes(tenant.adminKey.key)).toEqual(expect.arrayContaining(before[0].scopes));
    expect(await callerScopes(hub.bootstrapKey)).toEqual(expect.arrayContaining(['platform:admin']));
  });
});
