import { Migration } from '@mikro-orm/migrations';

/**
 * BR-IM-04's run of refusals that puts an integration in Error is counted apart from its run of failures: a refusal
 * after two outages was taken for the third refusal in a row. Existing rows start at 0, as if their last check had
 * not been a refusal: at worst an integration refused twice before needs one refusal more.
 */
export class Migration20261206200000_integration_consecutive_refusals extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE integration ADD COLUMN consecutive_refusals integer NOT NULL DEFAULT 0;');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE integration DROP COLUMN IF EXISTS consecutive_refusals;');
  }
}
