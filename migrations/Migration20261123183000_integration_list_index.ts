import { Migration } from '@mikro-orm/migrations';

/**
 * The list endpoint filtered by type and status (the dashboard's "active CRMs"): one index that both finds the
 * page in order (newest first, id breaking ties) and counts the filtered set from the index alone. Without it the
 * list read every row of the tenant and sorted the matches on each request.
 */
export class Migration20261123183000_integration_list_index extends Migration {
  override async up(): Promise<void> {
    this.addSql('CREATE INDEX integration_tenant_type_status_created_idx ON integration (tenant_id, integration_type, status, created_at DESC, id);');
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS integration_tenant_type_status_created_idx;');
  }
}
