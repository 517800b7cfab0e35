import { Migration } from '@mikro-orm/migrations';

/** Integrations (spec §2.1, §13.1), their logs (§2.6) and each tenant's integration settings (BR-IM-01). */
export class Migration20261123150000_integrations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE integration (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        name varchar(200) NOT NULL,
        integration_type varchar(20) NOT NULL,
        provider varchar(100) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'Draft',
        status_reason text NULL,
        configuration text NOT NULL,
        is_enabled boolean NOT NULL DEFAULT true,
        exclusive boolean NOT NULL DEFAULT false,
        health_status varchar(20) NOT NULL DEFAULT 'Unknown',
        last_health_check timestamptz NULL,
        last_response_time_ms int NULL,
        average_response_time_ms double precision NULL,
        consecutive_failures int NOT NULL DEFAULT 0,
        health_checks int NOT NULL DEFAULT 0,
        failed_health_checks int NOT NULL DEFAULT 0,
        last_error varchar(1000) NULL,
        last_sync_time timestamptz NULL,
        sealed_oauth_tokens text NULL,
        oauth_token_expires_at timestamptz NULL,
        oauth_refresh_failures int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid NULL,
        modified_at timestamptz NULL,
        modified_by uuid NULL,
        disconnected_at timestamptz NULL,
        disconnected_by uuid NULL
      );`);
    // The list endpoint: a tenant's integrations, newest first, optionally by type, status or provider.
    this.addSql('CREATE INDEX integration_tenant_created_idx ON integration (tenant_id, created_at DESC, id);');
    this.addSql('CREATE INDEX integration_tenant_type_idx ON integration (tenant_id, integration_type, created_at DESC);');
    this.addSql('CREATE INDEX integration_tenant_status_idx ON integration (tenant_id, status, created_at DESC);');
    this.addSql('CREATE INDEX integration_tenant_provider_idx ON integration (tenant_id, lower(provider), created_at DESC);');
    // The health sweep walks every active, enabled integration by id.
    this.addSql(`CREATE INDEX integration_active_idx ON integration (id) WHERE status = 'Active' AND is_enabled;`);
    // BR-IM-01 holds even when two activations race: the second commit fails on this index.
    this.addSql(`CREATE UNIQUE INDEX integration_one_active_per_type_uq ON integration (tenant_id, integration_type) WHERE status = 'Active' AND exclusive;`);

    this.addSql(`
      CREATE TABLE integration_log (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        integration_id uuid NOT NULL REFERENCES integration(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        log_level varchar(20) NOT NULL,
        message text NOT NULL,
        details jsonb NULL,
        exception text NULL,
        request_id varchar(100) NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );`);
    this.addSql('CREATE INDEX integration_log_integration_time_idx ON integration_log (integration_id, created_at DESC);');
    this.addSql('CREATE INDEX integration_log_time_idx ON integration_log (created_at);');

    this.addSql(`
      CREATE TABLE integration_settings (
        tenant_id uuid PRIMARY KEY REFERENCES tenant(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        single_provider_types jsonb NOT NULL,
        modified_at timestamptz NOT NULL DEFAULT now(),
        modified_by uuid NULL
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS integration_settings, integration_log, integration CASCADE;');
  }
}
