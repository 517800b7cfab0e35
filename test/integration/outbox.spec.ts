import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { createWorker } from '../../src/bootstrap';
import { loadConfig } from '../../src/common/config/app-config';
import { RevokeExpiredApiKeysCommand } from '../../src/modules/api-keys/commands/revoke-expired-api-keys/revoke-expired-api-keys.command';
import { eventually, startTestApp, TestApp } from '../support/test-app';

interface OutboxRow {
  event_type: string;
  aggregate_id: string;
  published_at: Date | null;
}

/**
 * The transactional outbox: events commit with the change that raised them, survive a process that never
 * relays them, and a worker started later relays them. A failed command leaves neither change nor event.
 */
describe('transactional outbox and the worker', () => {
  let api: TestApp;
  let worker: INestApplicationContext | undefined;
  let adminKey: string;

  beforeAll(async () => {
    api = await startTestApp({ PROCESS_ROLE: 'api' });
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Outbox', maxActiveApiKeys: 2 } });
    adminKey = tenant.adminKey.key;
  });

  afterAll(async () => {
    await worker?.close();
    await api.close();
  });

  function outboxOf(aggregateId: string): Promise<OutboxRow[]> {
    const em = api.app.get(EntityManager).fork();
    return em.getConnection().execute('SELECT event_type, aggregate_id, published_at FROM outbox_message WHERE aggregate_id = ? ORDER BY seq', [aggregateId]);
  }

  it('commits the event with the change; an API-only process never relays; a worker started later does', async () => {
    const key = await api.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Evented', scopes: ['integration:read'] } });
    const pending = await outboxOf(key.id);
    expect(pending).toEqual([expect.objectContaining({ event_type: 'APIKeyGenerated', published_at: null })]);

    worker = await createWorker(loadConfig({ ...process.env, OUTBOX_POLL_MS: '50' }, () => undefined));
    await eventually(async () => expect((await outboxOf(key.id))[0].published_at).not.toBeNull(), 10_000, 50);
  });

  it('a command that breaks a rule leaves no change, no event and no audit entry', async () => {
    const em = api.app.get(EntityManager).fork();
    const count = async () =>
      (await em.getConnection().execute<Array<{ n: string }>>("SELECT count(*) AS n FROM outbox_message WHERE payload->>'keyName' = 'Over the limit'"))[0].n;
    await expect(api.client(adminKey).apiKeys.generateApiKey({ requestBody: { keyName: 'Over the limit', scopes: ['integration:read'] } })).rejects.toMatchObject({ status: 409 });
    expect(await count()).toBe('0');
    const audit = await api.client(adminKey).audit.listAuditEntries({ action: 'APIKeyGenerated', pageSize: 100 });
    expect(audit.items.some((e) => e.details.keyName === 'Over the limit')).toBe(false);
  });

  it('the expiry sweep revokes keys past their expiry, with an event and an audit entry (BR-AK-04)', async () => {
    // An hour ahead, so that the key is surely unexpired when the first sweep runs, however slow the machine...
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const tenant = await api.client(api.bootstrapKey).tenants.createTenant({ requestBody: { name: 'Expiring' } });
    const admin = api.client(tenant.adminKey.key);
    const key = await admin.apiKeys.generateApiKey({ requestBody: { keyName: 'Short-lived', scopes: ['integration:read'], expiresAt } });
    expect(key.expiresAt).toBe(expiresAt);
    await api.app.get(CommandBus).execute(new RevokeExpiredApiKeysCommand());
    expect((await admin.apiKeys.getApiKey({ id: key.id })).status).toBe('Active');
    // ...and then the hour passes, without waiting for it (the key was never used, so no cache holds its expiry).
    await api.app.get(EntityManager).fork().getConnection().execute("UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = ?", [key.id]);
    expect((await admin.apiKeys.getApiKey({ id: key.id })).status).toBe('Expired');
    expect(await api.app.get(CommandBus).execute(new RevokeExpiredApiKeysCommand())).toBeGreaterThanOrEqual(1);
    expect(await admin.apiKeys.getApiKey({ id: key.id })).toMatchObject({ status: 'Revoked', revocationReason: 'Expired', revokedBy: null });
    const trail = await admin.audit.listAuditEntries({ resourceId: key.id, action: 'APIKeyRevoked' });
    expect(trail.items).toHaveLength(1);
    expect(trail.items[0].actorApiKeyId).toBeNull();
    expect((await outboxOf(key.id)).map((r) => r.event_type)).toEqual(['APIKeyGenerated', 'APIKeyRevoked']);
  });
});
