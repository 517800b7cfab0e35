import { Migration } from '@mikro-orm/migrations';

/** Tenants, API keys, the transactional outbox and the audit trail. */
export class Migration20261123130000_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE tenant (
        id uuid PRIMARY KEY,
        name varchar(200) NOT NULL,
        max_active_api_keys int NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid NULL
      );`);

    this.addSql(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        key_name varchar(100) NOT NULL,
        key_hash char(64) NOT NULL,
        key_prefix varchar(8) NOT NULL,
        scopes jsonb NOT NULL,
        expires_at timestamptz NULL,
        is_active boolean NOT NULL DEFAULT true,
        last_used_at timestamptz NULL,
        usage_count bigint NOT NULL DEFAULT 0,
        rate_limit_per_hour int NOT NULL DEFAULT 1000,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid NULL,
        modified_at timestamptz NULL,
        revoked_at timestamptz NULL,
        revoked_by uuid NULL,
        revocation_reason varchar(500) NULL,
        rotated_to_id uuid NULL,
        is_bootstrap boolean NOT NULL DEFAULT false
      );`);
    this.addSql('CREATE UNIQUE INDEX api_key_hash_uq ON api_key (key_hash);');
    this.addSql('CREATE INDEX api_key_prefix_idx ON api_key (key_prefix);');
    this.addSql('CREATE INDEX api_key_tenant_active_idx ON api_key (tenant_id, created_at DESC) WHERE is_active;');
    this.addSql('CREATE INDEX api_key_expiry_idx ON api_key (expires_at) WHERE is_active AND expires_at IS NOT NULL;');

    this.addSql(`
      CREATE TABLE outbox_message (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL,
        tenant_id uuid NULL,
        event_type varchar(100) NOT NULL,
        aggregate_id uuid NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        published_at timestamptz NULL,
        attempts int NOT NULL DEFAULT 0,
        last_error text NULL
      );`);
    this.addSql('CREATE INDEX outbox_message_pending_idx ON outbox_message (seq) WHERE published_at IS NULL;');
    this.addSql('CREATE INDEX outbox_message_published_idx ON outbox_message (published_at) WHERE published_at IS NOT NULL;');

    this.addSql(`
      CREATE TABLE audit_entry (
        id uuid PRIMARY KEY,
        tenant_id uuid NULL,
        actor_api_key_id uuid NULL,
        action varchar(100) NOT NULL,
        resource_type varchar(50) NOT NULL,
        resource_id uuid NULL,
        ip varchar(64) NULL,
        request_id varchar(100) NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );`);
    this.addSql('CREATE INDEX audit_entry_tenant_time_idx ON audit_entry (tenant_id, created_at DESC);');
    this.addSql('CREATE INDEX audit_entry_time_idx ON audit_entry (created_at);');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS audit_entry, outbox_message, api_key, tenant CASCADE;');
  }
}
