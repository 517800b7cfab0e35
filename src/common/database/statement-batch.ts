import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlRunner } from '../outbox/insert-outbox-rows';
import { withPooledClient } from './pooled-client';

/**
 * Statements gathered and sent to PostgreSQL as one multi-statement query: one round trip instead of one per
 * statement plus BEGIN and COMMIT, and still one transaction, since the simple query protocol commits such a
 * query as a whole or rolls all of it back. For hot writes whose statements need none of each other's results.
 * Parameters are inlined by MikroORM's formatter, exactly as `em.execute` inlines them.
 */
export class StatementBatch implements SqlRunner {
  private readonly statements: string[] = [];

  constructor(private readonly em: EntityManager) {}

  /** Adds a statement (`?` placeholders, as for `em.execute`); nothing runs before `commit()`. */
  add(sql: string, params: unknown[]): void {
    this.statements.push(this.em.getPlatform().formatQuery(sql, params));
  }

  /** `add`, for helpers written against SqlRunner such as insertOutboxRows. */
  execute(sql: string, params: unknown[]): Promise<void> {
    this.add(sql, params);
    return Promise.resolve();
  }

  async commit(): Promise<void> {
    if (!this.statements.length) return;
    const text = this.statements.join(';\n');
    await withPooledClient(this.em, (client) => client.query(text));
  }
}
