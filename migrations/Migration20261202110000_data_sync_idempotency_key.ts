import { Migration } from '@mikro-orm/migrations';

/**
 * A sync started on a caller's behalf by something that may run twice (a provider callback's reaction, which Bull
 * runs at least once) carries that caller's idempotency key: one job per key and tenant. Nullable without a
 * default, so the table is not rewritten; the partial index holds only the keyed jobs.
 */
export class Migration20261202110000_data_sync_idempotency_key extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE data_sync_job ADD COLUMN idempotency_key varchar(200) NULL;');
    this.addSql('CREATE UNIQUE INDEX data_sync_job_idempotency_uq ON data_sync_job (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;');
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS data_sync_job_idempotency_uq;');
    this.addSql('ALTER TABLE data_sync_job DROP COLUMN IF EXISTS idempotency_key;');
  }
}
