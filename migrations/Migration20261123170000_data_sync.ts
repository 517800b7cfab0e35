import { Migration } from '@mikro-orm/migrations';

/**
 * Data sync (issue #5): jobs with their checkpoint and lease, their per-record and run log, and the records
 * imported from external systems, keyed by (integration, entity, external id) so re-imports are upserts.
 */
export class Migration20261123170000_data_sync extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE data_sync_job (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        integration_id uuid NOT NULL REFERENCES integration (id),
        sync_type varchar(20) NOT NULL,
        direction varchar(20) NOT NULL,
        status varchar(20) NOT NULL,
        records_total int NOT NULL DEFAULT 0,
        records_processed int NOT NULL DEFAULT 0,
        records_failed int NOT NULL DEFAULT 0,
        records_created int NOT NULL DEFAULT 0,
        records_updated int NOT NULL DEFAULT 0,
        records_unchanged int NOT NULL DEFAULT 0,
        records_deleted int NOT NULL DEFAULT 0,
        records_exported int NOT NULL DEFAULT 0,
        error_log jsonb NULL,
        checkpoint jsonb NULL,
        batches_completed int NOT NULL DEFAULT 0,
        runs int NOT NULL DEFAULT 0,
        lease_token uuid NULL,
        lease_expires_at timestamptz NULL,
        cancel_requested_at timestamptz NULL,
        started_at timestamptz NULL,
        completed_at timestamptz NULL,
        last_checkpoint_at timestamptz NULL,
        scheduled_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        created_by uuid NULL
      );`);
    this.addSql('CREATE INDEX data_sync_job_list_idx ON data_sync_job (tenant_id, created_at DESC);');
    this.addSql('CREATE INDEX data_sync_job_integration_idx ON data_sync_job (integration_id, sync_type, scheduled_at);');
    this.addSql(`CREATE INDEX data_sync_job_due_idx ON data_sync_job (scheduled_at) WHERE status IN ('Scheduled', 'Running');`);

    this.addSql(`
      CREATE TABLE data_sync_log (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        job_id uuid NOT NULL REFERENCES data_sync_job (id) ON DELETE CASCADE,
        level varchar(20) NOT NULL,
        message text NOT NULL,
        entity varchar(100) NULL,
        external_id varchar(300) NULL,
        details jsonb NULL,
        created_at timestamptz NOT NULL
      );`);
    this.addSql('CREATE INDEX data_sync_log_job_idx ON data_sync_log (job_id, created_at);');
    this.addSql('CREATE INDEX data_sync_log_created_idx ON data_sync_log (created_at);');

    this.addSql(`
      CREATE TABLE synced_record (
        tenant_id uuid NOT NULL,
        integration_id uuid NOT NULL REFERENCES integration (id),
        entity varchar(100) NOT NULL,
        external_id varchar(300) NOT NULL,
        data jsonb NOT NULL,
        source_modified_at timestamptz NULL,
        content_hash varchar(64) NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        last_seen_job_id uuid NULL,
        synced_at timestamptz NOT NULL,
        local_modified_at timestamptz NULL,
        exported_at timestamptz NULL,
        PRIMARY KEY (integration_id, entity, external_id)
      );`);
    this.addSql('CREATE INDEX synced_record_updated_idx ON synced_record (integration_id, entity, synced_at);');
    this.addSql('CREATE INDEX synced_record_export_idx ON synced_record (integration_id, entity, local_modified_at) WHERE local_modified_at IS NOT NULL;');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS synced_record;');
    this.addSql('DROP TABLE IF EXISTS data_sync_log;');
    this.addSql('DROP TABLE IF EXISTS data_sync_job;');
  }
}
