import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/common/config/app-config';
import { SafeHttpClient } from '../../src/common/outbound/safe-http-client';
import { ConnectorHttp } from '../../src/modules/data-sync/connectors/connector-http';
import { RestConnector, RestResource, WRITE_CONCURRENCY } from '../../src/modules/data-sync/connectors/rest-connector';
import { FakeSyncSource } from '../support/fake-sync-source';
import { eventually } from '../support/test-app';

/**
 * An export whose run was abandoned (the run timed out or lost its lease, and resumes elsewhere from its
 * checkpoint) must stop writing to the source: a lane that went on could overwrite a newer version that the
 * resumed run has sent since.
 */
describe('an abandoned export', () => {
  const source = new FakeSyncSource();
  const client = new SafeHttpClient({ allowLoopbackTargets: true });
  const config = loadConfig({ ...process.env }, () => undefined);
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await source.start();
  });

  afterAll(async () => {
    await source.stop();
    await client.onApplicationShutdown();
  });

  const contacts: RestResource = {
    entity: 'contacts',
    pagedByPosition: false,
    path: '/contacts',
    idField: 'id',
    updatedAtField: 'updatedAt',
    recordsField: 'data',
    totalField: null,
    pageSize: null,
    pagination: { type: 'cursor', limitParam: 'limit', cursorParam: 'cursor', nextCursorField: 'nextCursor', pageParam: 'page', offsetParam: 'offset' },
    updatedSinceParam: null,
    writeMethod: 'PUT',
    writePath: '/contacts/{id}',
    writeField: null,
  };

  it('drops the writes in flight and sends no more of the batch once its run is aborted', async () => {
    const run = new AbortController();
    const connector = new RestConnector(randomUUID(), baseUrl, [contacts], {}, new ConnectorHttp(client, config), 1 << 20, 50, run.signal);
    const records = Array.from({ length: 3 * WRITE_CONCURRENCY }, (_, i) => ({ externalId: `c${i}`, data: { id: `c${i}`, name: 'Stale' } }));
    source.holdWrites = true;
    const outcome = connector.writeRecords(contacts, records).then(
      () => 'every record written',
      (error: unknown) => error,
    );
    // Every lane waits on the source.
    await eventually(async () => expect(source.writes).toHaveLength(WRITE_CONCURRENCY));

    const lostLease = new Error('Run interrupted: lease-lost');
    run.abort(lostLease);
    // The requests in flight are dropped, not left to finish (before: they waited for the source's answer).
    await eventually(async () => expect(source.abandonedWrites).toBe(WRITE_CONCURRENCY));
    expect(await outcome).toBe(lostLease);
    expect(source.writes).toHaveLength(WRITE_CONCURRENCY);
  });
});
