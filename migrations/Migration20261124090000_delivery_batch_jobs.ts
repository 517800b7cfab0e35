import { Migration } from '@mikro-orm/migrations';

/**
 * A fan-out's deliveries ride in Bull jobs of many first attempts. The row names its job, so the sweep can tell
 * a delivery still waiting in a queued job from one whose job Redis lost. Adding a nullable column without a
 * default does not rewrite the table.
 */
export class Migration20261124090000_delivery_batch_jobs extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE webhook_delivery ADD COLUMN batch_job_id text NULL;');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE webhook_delivery DROP COLUMN IF EXISTS batch_job_id;');
  }
}
