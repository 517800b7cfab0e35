import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import type { Knex } from 'knex';
import { SECRET_VAULT, SecretVault } from '../../src/common/crypto/secret-vault';
import { ReencryptIntegrationSecretsCommand } from '../../src/modules/integrations/commands/reencrypt-integration-secrets/reencrypt-integration-secrets.command';
import { Integration } from '../../src/modules/integrations/domain/integration.entity';
import { reencryptInBatches } from '../../src/common/crypto/reencryption';
import { eventually, startTestApp, TestApp } from '../support/test-app';
import { lockWaiters } from '../support/lock-waits';

/**
 * Re-encryption (`npm run keys:reencrypt`) while the service changes the same integrations. The competing change
 * holds the integration's row until the re-encryption has either passed it by or waits for it, so the
 * interleaving is the same on every run.
 */
describe('re-encrypting integration secrets while the service runs', () => {
  const apps: TestApp[] = [];
  let before: TestApp;
  let rotating: TestApp;
  let tenantAdminKey: string;

  beforeAll(async () => {
    before = await startTestApp({ PROCESS_ROLE: 'api' });
    apps.push(before);
    rotating = await startTestApp({ PROCESS_ROLE: 'api', ENCRYPTION_KEYS: `${process.env.ENCRYPTION_KEYS},t2:${randomBytes(32).toString('base64')}`, ENCRYPTION_ACTIVE_KEY: 't2' });
    apps.push(rotating);
    tenantAdminKey = (await before.client(before.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Re-encryption' } })).adminKey.key;
  });

  // Apps stay up until the end: MikroORM's metadata does not survive every app of a test file closing.
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  /** An integration sealed under the old key t1. */
  async function sealedUnderOldKey(): Promise<string> {
    const created = await before.client(tenantAdminKey).integrations.createIntegration({
      requestBody: { name: 'CRM', integrationType: 'CRM', provider: 'HubSpot', configuration: { accessToken: 'old-token', portal: 'eu' } },
    });
    return created.id;
  }

  async function stored(id: string): Promise<{ sealed: string; configuration: unknown }> {
    const integration = await rotating.app.get(EntityManager).fork().findOneOrFail(Integration, id);
    return { sealed: integration.sealedConfiguration, configuration: integration.configuration(rotating.app.get<SecretVault>(SECRET_VAULT)) };
  }

  /**
   * Runs `change` in a transaction of its own, committed once `work` has finished, waits for the row, or calls
   * the `commit` it is given; returns what `work` gave.
   */
  async function whileHolding<T>(change: (tx: Knex.Transaction) => Promise<unknown>, work: (commit: () => Promise<void>) => Promise<T>): Promise<T> {
    const competing = await rotating.app.get(EntityManager).getConnection().getKnex().transaction();
    let committing: Promise<void> | undefined;
    const commit = () => (committing ??= competing.commit().then(() => undefined));
    try {
      await change(competing);
      let settled = false;
      const result = work(commit).finally(() => (settled = true));
      result.catch(() => undefined); // awaited below, after the commit
      await eventually(async () => {
        if (settled || committing) return;
        expect(await lockWaiters(rotating.app.get(EntityManager), 'integration')).toBe(1);
      }, 10_000);
      await commit();
      return await result;
    } finally {
      if (!competing.isCompleted()) await competing.rollback();
    }
  }

  it('keeps a credential update that commits during the batch', async () => {
    const id = await sealedUnderOldKey();
    // What PUT /api/integrations/{id} writes: the new configuration, sealed under the active key.
    const updating = await rotating.app.get(EntityManager).fork().findOneOrFail(Integration, id);
    updating.update({ configuration: { accessToken: 'new-token', portal: 'eu' } }, rotating.app.get<SecretVault>(SECRET_VAULT), null);

    await whileHolding(
      (tx) => tx.raw('UPDATE integration SET configuration = ? WHERE id = ?', [updating.sealedConfiguration, id]),
      () => rotating.app.get(CommandBus).execute(new ReencryptIntegrationSecretsCommand(null)),
    );
    await reencryptInBatches((afterId) => rotating.app.get(CommandBus).execute(new ReencryptIntegrationSecretsCommand(afterId)));

    expect(await stored(id)).toEqual({ sealed: updating.sealedConfiguration, configuration: { accessToken: 'new-token', portal: 'eu' } });
  });

  it('comes back for an integration it had to skip, which the other change left under the old key', async () => {
    const id = await sealedUnderOldKey();
    const commands = rotating.app.get(CommandBus);
    // The change holding the row (a health check's result) commits once the first batch is done.
    const totals = await whileHolding(
      (tx) => tx.raw('UPDATE integration SET last_health_check = now() WHERE id = ?', [id]),
      (commit) =>
        reencryptInBatches(async (afterId) => {
          const batch = await commands.execute(new ReencryptIntegrationSecretsCommand(afterId));
          await commit();
          return batch;
        }),
    );
    expect(totals.resealed).toBeGreaterThanOrEqual(1);
    expect((await stored(id)).sealed).toMatch(/^v2:t2:/);
  });
  it('neither waits for nor comes back for a busy integration that is already under the active key', async () => {
    const id = await sealedUnderOldKey();
    const commands = rotating.app.get(CommandBus);
    const rotateAll = () => reencryptInBatches((afterId) => commands.execute(new ReencryptIntegrationSecretsCommand(afterId)));
    await rotateAll();
    expect((await stored(id)).sealed).toMatch(/^v2:t2:/);
    // The service keeps changing it (a health check's result holds its row): the rotation has nothing to do there,
    // so it finishes while the row is held. Were it to count the row as skipped, it would pass over every
    // integration again and again until the row is free, and whileHolding, which lets go only once the work is
    // done or waits on the lock, gives up after 10 s.
    const totals = await whileHolding((tx) => tx.raw('UPDATE integration SET last_health_check = now() WHERE id = ?', [id]), rotateAll);
    expect(totals).toMatchObject({ resealed: 0, unreadable: [] });
  });
});
