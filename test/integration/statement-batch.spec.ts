import { EntityManager } from '@mikro-orm/postgresql';
import { StatementBatch } from '../../src/common/database/statement-batch';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * StatementBatch sends its statements as one query and relies on PostgreSQL committing such a query whole or
 * not at all; values travel inlined, so they must arrive exactly as given, placeholders and quotes included.
 */
describe('StatementBatch', () => {
  let api: TestApp;
  let em: EntityManager;

  beforeAll(async () => {
    api = await startTestApp({ PROCESS_ROLE: 'api' });
    em = api.app.get(EntityManager).fork();
    await em.getConnection().execute('CREATE TABLE statement_batch_probe (id int PRIMARY KEY, note text NOT NULL)');
  });

  afterAll(async () => {
    await em.getConnection().execute('DROP TABLE IF EXISTS statement_batch_probe');
    await api.close();
  });

  const rows = () => em.getConnection().execute<Array<{ id: number; note: string }>>('SELECT id, note FROM statement_batch_probe ORDER BY id');

  it('commits every statement together, with values exactly as given', async () => {
    const batch = new StatementBatch(em);
    batch.add('INSERT INTO statement_batch_probe (id, note) VALUES (?, ?)', [1, `it's a "?" \\ ; DROP TABLE statement_batch_probe; --`]);
    batch.add('INSERT INTO statement_batch_probe (id, note) SELECT r.id, r.note FROM jsonb_to_recordset(?::jsonb) AS r(id int, note text)', [
      JSON.stringify([{ id: 2, note: 'what? where?' }]),
    ]);
    await batch.commit();
    expect(await rows()).toEqual([
      { id: 1, note: `it's a "?" \\ ; DROP TABLE statement_batch_probe; --` },
      { id: 2, note: 'what? where?' },
    ]);
  });

  it('rolls every statement back when one fails, and leaves the pooled connection usable', async () => {
    const batch = new StatementBatch(em);
    batch.add('INSERT INTO statement_batch_probe (id, note) VALUES (?, ?)', [3, 'written first']);
    batch.add('UPDATE statement_batch_probe SET note = ? WHERE id = 1', ['changed']);
    batch.add('INSERT INTO statement_batch_probe (id, note) VALUES (?, ?)', [2, 'a duplicate key']);
    await expect(batch.commit()).rejects.toThrow(/duplicate key/);

    expect((await rows()).map((row) => row.id)).toEqual([1, 2]);
    expect((await rows())[0].note).not.toBe('changed');
    // Every pooled connection answers outside any aborted transaction.
    const answers = await Promise.all(Array.from({ length: 10 }, () => em.getConnection().execute<Array<{ ok: number }>>('SELECT 1 AS ok')));
    expect(answers.flat()).toEqual(Array.from({ length: 10 }, () => ({ ok: 1 })));
  });
});
