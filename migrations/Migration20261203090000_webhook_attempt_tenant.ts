import { Migration } from '@mikro-orm/migrations';

/** Attempt rows filled per statement (a range of ids), each its own short transaction. */
const FILL_BATCH = 10_000;
/** How long a step outside the transaction waits for a lock before trying again, and how often it tries. */
const LOCK_TIMEOUT = '3s';
const LOCK_TRIES = 3;

const FILL_TRIGGER = 'webhook_delivery_attempt_tenant_fill';
const FILLED_CHECK = 'webhook_delivery_attempt_tenant_filled';
/** One tenant's webhook, attempts of the last hour, counted from the index alone (GET …/health, the sweep). */
const HEALTH_INDEX = 'webhook_delivery_attempt_tenant_webhook_time_idx';
const HEALTH_INDEX_COLUMNS = 'webhook_delivery_attempt (tenant_id, webhook_id, attempted_at) INCLUDE (succeeded)';
/** What served those reads before: every webhook's attempts by time. */
const RECENT_INDEX = 'webhook_delivery_attempt_recent_idx';

/** A pooled connection outside the migration's transaction (a node-postgres client, as knex hands it out). */
interface RawConnection {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/**
 * DESIGN.md's tenancy rule for the attempt log: every row of webhook_delivery_attempt carries the tenant_id of its
 * delivery, and every read of attempts filters by the caller's tenant as well as by delivery or webhook.
 *
 * The table can be large (one row per HTTP attempt, kept WEBHOOK_DELIVERY_RETENTION_DAYS) and is written by every
 * delivery outcome, so the fill must not hold it locked. Batching inside the migration does not achieve that here:
 * the migrator runs all pending migrations in one transaction (`allOrNothing`), so every batch's row locks, and
 * the ACCESS EXCLUSIVE lock of the ADD COLUMN before them, would be held until the last migration commits; a
 * DO block cannot COMMIT inside that transaction either, and a migration marked non-transactional still runs
 * while the shared transaction is open (and cannot see a table created by it). So when the table already existed
 * before this run, up() does the long part itself on a connection of its own, each step committing on its own:
 *
 * 1. ADD COLUMN, nullable and without a default: a catalog change, no rewrite (a brief lock).
 * 2. A BEFORE INSERT trigger that fills tenant_id from the delivery when an insert leaves it out: the code still
 *    running during a rolling deploy does not write the column, and after the trigger no NULL row appears again.
 * 3. The fill, in ranges of FILL_BATCH ids of the primary key, up to the highest id at step 2, one statement and
 *    one commit per range. Ranges of the primary key, not `ctid IN (SELECT ctid … WHERE tenant_id IS NULL LIMIT n)`:
 *    that subquery scans again from the start of the table past every row already filled, so its cost grows with
 *    the square of the table; a range is an index range scan joined to its deliveries by primary key. Each
 *    batch locks only its own rows, which nothing else updates (attempts are inserted and deleted, never
 *    changed), and takes the same table lock as an INSERT, so deliveries keep being recorded and read meanwhile.
 * 4. A CHECK (tenant_id IS NOT NULL) NOT VALID, then VALIDATE: the scan that proves it holds a lock that lets
 *    reads and writes go on, and SET NOT NULL (in the transaction) then trusts the check instead of scanning.
 * 5. The health read's index, built CONCURRENTLY (not possible inside a transaction).
 *
 * The transaction then only does what is brief: SET NOT NULL, the removal of the check and the trigger (the
 * application writes tenant_id itself; nothing is left on the insert path) and of the index the new one replaces
 * (dropped there, not before: the code still running during the deploy reads by it). Each step is repeatable: a
 * run that fails midway, or whose shared transaction rolls back, leaves a nullable column that the trigger keeps
 * filling, which the running code ignores, and the next run picks up where it stopped.
 *
 * When the table was created in this same run (a new database: the connection of its own does not see it yet),
 * or a step cannot get its lock (an earlier migration of this run holds the table), everything happens inside
 * the transaction instead: one set-based UPDATE (batches inside one transaction would only take longer) and a
 * plain CREATE INDEX, with the table locked until the commit.
 *
 * Indexes (EXPLAIN ANALYZE on 2 M attempts of 200 webhooks in 20 tenants, 50 k of them in the last hour):
 * - The delivery's attempts (GET …/deliveries/{id}): (delivery_id, attempt_number) stays. It finds the handful of
 *   rows of one delivery, which the read fetches whole anyway, so tenant_id is a filter on those rows (0.3 ms);
 *   it also serves the cascade from webhook_delivery (retention, webhook deletion), which a tenant-first key
 *   would not.
 * - The webhook's last hour (GET …/health): (attempted_at, webhook_id) walked every webhook's attempts of the
 *   last hour and fetched the matching rows from the heap (24 ms, 708 buffers); (tenant_id, webhook_id,
 *   attempted_at) INCLUDE (succeeded) reads exactly that webhook's entries, index-only (0.7 ms, 7 buffers).
 * - The maintenance sweep's failure rates of every webhook now probe that index once per webhook (40 ms, 1.6 k
 *   buffers, against 34–75 ms and 6.3 k buffers through (attempted_at, webhook_id)), so the attempted_at index
 *   goes: every outcome's INSERT still writes three indexes, as before.
 *
 * Deploying: from the commit on, tenant_id is NOT NULL, so a worker of the previous version still running fails
 * to record its outcomes (Bull retries those jobs, which sends their requests again) until it is replaced.
 */
export class Migration20261203090000_webhook_attempt_tenant extends Migration {
  override async up(): Promise<void> {
    const preparedOutside = await this.prepareOutsideTransaction();
    this.addSql('ALTER TABLE webhook_delivery_attempt ADD COLUMN IF NOT EXISTS tenant_id uuid NULL;');
    if (!preparedOutside) {
      this.addSql(`
        UPDATE webhook_delivery_attempt a SET tenant_id = d.tenant_id
          FROM webhook_delivery d
         WHERE d.id = a.delivery_id AND a.tenant_id IS NULL;`);
    }
    // With the validated check in place this reads no row; without it, it scans the table once.
    this.addSql('ALTER TABLE webhook_delivery_attempt ALTER COLUMN tenant_id SET NOT NULL;');
    this.addSql(`ALTER TABLE webhook_delivery_attempt DROP CONSTRAINT IF EXISTS ${FILLED_CHECK};`);
    this.addSql(`DROP TRIGGER IF EXISTS ${FILL_TRIGGER} ON webhook_delivery_attempt;`);
    this.addSql(`DROP FUNCTION IF EXISTS ${FILL_TRIGGER}();`);
    if (!preparedOutside) {
      // A concurrent build that failed leaves an invalid index behind; IF NOT EXISTS would keep it.
      this.addSql(`DROP INDEX IF EXISTS ${HEALTH_INDEX};`);
      this.addSql(`CREATE INDEX ${HEALTH_INDEX} ON ${HEALTH_INDEX_COLUMNS};`);
    }
    this.addSql(`DROP INDEX IF EXISTS ${RECENT_INDEX};`);
  }

  /** Back to the reads by webhook and time alone; the index they need is rebuilt in the transaction. */
  override async down(): Promise<void> {
    this.addSql(`CREATE INDEX IF NOT EXISTS ${RECENT_INDEX} ON webhook_delivery_attempt (attempted_at, webhook_id);`);
    this.addSql(`DROP TRIGGER IF EXISTS ${FILL_TRIGGER} ON webhook_delivery_attempt;`);
    this.addSql(`DROP FUNCTION IF EXISTS ${FILL_TRIGGER}();`);
    this.addSql(`DROP INDEX IF EXISTS ${HEALTH_INDEX};`);
    // Dropping the column is a catalog change; the space comes back as rows are rewritten or vacuumed.
    this.addSql('ALTER TABLE webhook_delivery_attempt DROP COLUMN IF EXISTS tenant_id;');
  }

  /**
   * Steps 1–5 above on a connection of this migration's own, outside the shared transaction. False when the
   * transaction must do the work: the table is not visible from outside it yet, or a lock was not to be had.
   */
  private async prepareOutsideTransaction(): Promise<boolean> {
    // Knex's pool, so the connection is made exactly as the ORM's are.
    const client = this.getKnex().client as { acquireConnection(): Promise<RawConnection>; releaseConnection(connection: RawConnection): Promise<void> };
    const connection = await client.acquireConnection();
    const run = async (sql: string, params: unknown[] = []) => (await connection.query(sql, params)).rows;
    try {
      await run(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
      const [{ visible }] = await run("SELECT to_regclass('webhook_delivery_attempt') IS NOT NULL AS visible");
      if (!visible) return false;

      await withLockRetries(() => run('ALTER TABLE webhook_delivery_attempt ADD COLUMN IF NOT EXISTS tenant_id uuid NULL'));
      await run(`
        CREATE OR REPLACE FUNCTION ${FILL_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          SELECT d.tenant_id INTO NEW.tenant_id FROM webhook_delivery d WHERE d.id = NEW.delivery_id;
          RETURN NEW;
        END $$`);
      await withLockRetries(async () => {
        await run('BEGIN');
        try {
          await run(`DROP TRIGGER IF EXISTS ${FILL_TRIGGER} ON webhook_delivery_attempt`);
          await run(`
            CREATE TRIGGER ${FILL_TRIGGER} BEFORE INSERT ON webhook_delivery_attempt
              FOR EACH ROW WHEN (NEW.tenant_id IS NULL) EXECUTE FUNCTION ${FILL_TRIGGER}()`);
          await run('COMMIT');
        } catch (error) {
          await run('ROLLBACK');
          throw error;
        }
      });

      // CREATE TRIGGER waited for every insert in flight, so every row it did not see is at or below this id.
      const [{ first, last }] = await run('SELECT min(id)::text AS first, max(id)::text AS last FROM webhook_delivery_attempt');
      if (first !== null) {
        for (let from = BigInt(first as string); from <= BigInt(last as string); from += BigInt(FILL_BATCH)) {
          await withLockRetries(() =>
            run(
              `UPDATE webhook_delivery_attempt a SET tenant_id = d.tenant_id
                 FROM webhook_delivery d
                WHERE a.id >= $1::bigint AND a.id < $1::bigint + $2::int AND a.tenant_id IS NULL AND d.id = a.delivery_id`,
              [from.toString(), FILL_BATCH],
            ),
          );
        }
      }

      await withLockRetries(async () => {
        const [{ present }] = await run('SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = $1) AS present', [FILLED_CHECK]);
        if (!present) await run(`ALTER TABLE webhook_delivery_attempt ADD CONSTRAINT ${FILLED_CHECK} CHECK (tenant_id IS NOT NULL) NOT VALID`);
      });
      await withLockRetries(() => run(`ALTER TABLE webhook_delivery_attempt VALIDATE CONSTRAINT ${FILLED_CHECK}`));

      await withLockRetries(async () => {
        const [{ invalid }] = await run(
          'SELECT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid) AS invalid',
          [HEALTH_INDEX],
        );
        if (invalid) await run(`DROP INDEX CONCURRENTLY IF EXISTS ${HEALTH_INDEX}`);
        await run(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${HEALTH_INDEX} ON ${HEALTH_INDEX_COLUMNS}`);
      });
      return true;
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      this.config
        .getLogger()
        .warn(
          'migrator',
          `webhook_delivery_attempt: a lock was not to be had outside the transaction (${(error as Error).message}); filling the table inside it, locked until the commit`,
          { enabled: true },
        );
      return false;
    } finally {
      await run('RESET lock_timeout').catch(() => undefined);
      await client.releaseConnection(connection);
    }
  }
}

async function withLockRetries<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isLockTimeout(error) || attempt >= LOCK_TRIES) throw error;
    }
  }
}

/** lock_not_available: lock_timeout ran out. */
function isLockTimeout(error: unknown): boolean {
  return (error as { code?: string }).code === '55P03';
}
