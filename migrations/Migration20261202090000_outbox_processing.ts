import { Migration } from '@mikro-orm/migrations';

/**
 * Published is not processed: a row names the Bull job the relay queued it in (`relay_job_id`) and records when
 * its reactions all succeeded (`processed_at`), so the recovery can find committed events whose job Redis lost
 * and queue them again. Rows published before this migration have no job id and are left alone (marking them
 * processed would rewrite the whole table during start-up). Nullable columns without a default do not rewrite
 * the table; the index holds only the rows not processed yet, a handful outside an outage.
 */
export class Migration20261202090000_outbox_processing extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE outbox_message ADD COLUMN relay_job_id text NULL, ADD COLUMN processed_at timestamptz NULL;');
    this.addSql(
      'CREATE INDEX outbox_message_unprocessed_idx ON outbox_message (published_at, id) WHERE processed_at IS NULL AND relay_job_id IS NOT NULL;',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS outbox_message_unprocessed_idx;');
    this.addSql('ALTER TABLE outbox_message DROP COLUMN IF EXISTS relay_job_id, DROP COLUMN IF EXISTS processed_at;');
  }
}
