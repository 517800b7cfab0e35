import { Migration } from '@mikro-orm/migrations';

/**
 * How many integrations each tenant has per (type, status, provider), kept by a trigger in the same transaction
 * as the change, so the list's total is a sum over a handful of counter rows rather than a count of every
 * matching integration on every page view. Counting from the list index was O(matching rows) and, as the health
 * sweep rewrites every active integration's row every few minutes, rarely index-only: with 1,000 integrations
 * the count cost PostgreSQL more than reading the page.
 *
 * - Providers are counted in lower case, as the list filters them.
 * - The trigger adds +1 to the new key and -1 to the old one in one statement, in key order: two transactions
 *   moving integrations in opposite directions (Active -> Error and Error -> Active) lock the same counter rows
 *   in the same order, so they wait for each other instead of deadlocking. Concurrent changes of one tenant's
 *   counts queue on the counter row until commit, which writes of integrations, rare and short, can afford.
 * - Updates touching none of the counted columns (health checks, renames) do not fire it.
 * - No foreign key to tenant: a cascade could remove a tenant's counters before the triggers of its cascaded
 *   integration deletes add theirs back. Those triggers bring the deleted tenant's counters to 0 instead.
 * - Rows the trigger does not see (TRUNCATE, COPY with triggers off) would leave the counters wrong; nothing
 *   here writes integrations that way. `SELECT ... GROUP BY` over integration rebuilds them (see up()).
 *
 * The trigger is created before the counters are filled, in the migration's transaction: CREATE TRIGGER locks
 * out writers until the commit, so no change falls between the fill and the trigger.
 */
export class Migration20261124100000_integration_counts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE integration_count (
        tenant_id uuid NOT NULL,
        integration_type varchar(20) NOT NULL,
        status varchar(20) NOT NULL,
        provider_lower varchar(100) NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (tenant_id, integration_type, status, provider_lower)
      );`);
    this.addSql(`
      CREATE FUNCTION integration_count_track() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO integration_count AS c (tenant_id, integration_type, status, provider_lower, n)
        SELECT tenant_id, integration_type, status, provider_lower, sum(delta)
          FROM (SELECT OLD.tenant_id, OLD.integration_type, OLD.status, lower(OLD.provider), -1 WHERE TG_OP <> 'INSERT'
                UNION ALL
                SELECT NEW.tenant_id, NEW.integration_type, NEW.status, lower(NEW.provider), 1 WHERE TG_OP <> 'DELETE')
               AS change (tenant_id, integration_type, status, provider_lower, delta)
         GROUP BY 1, 2, 3, 4
         ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, integration_type, status, provider_lower) DO UPDATE SET n = c.n + EXCLUDED.n;
        RETURN NULL;
      END $$;`);
    this.addSql('CREATE TRIGGER integration_count_insert_delete AFTER INSERT OR DELETE ON integration FOR EACH ROW EXECUTE FUNCTION integration_count_track();');
    this.addSql(`
      CREATE TRIGGER integration_count_update AFTER UPDATE OF tenant_id, integration_type, status, provider ON integration FOR EACH ROW
        WHEN ((OLD.tenant_id, OLD.integration_type, OLD.status, lower(OLD.provider)) IS DISTINCT FROM (NEW.tenant_id, NEW.integration_type, NEW.status, lower(NEW.provider)))
        EXECUTE FUNCTION integration_count_track();`);
    this.addSql(`
      INSERT INTO integration_count (tenant_id, integration_type, status, provider_lower, n)
      SELECT tenant_id, integration_type, status, lower(provider), count(*) FROM integration GROUP BY 1, 2, 3, 4;`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TRIGGER IF EXISTS integration_count_update ON integration;');
    this.addSql('DROP TRIGGER IF EXISTS integration_count_insert_delete ON integration;');
    this.addSql('DROP FUNCTION IF EXISTS integration_count_track();');
    this.addSql('DROP TABLE IF EXISTS integration_count;');
  }
}
