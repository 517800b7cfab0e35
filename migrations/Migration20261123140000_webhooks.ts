import { Migration } from '@mikro-orm/migrations';

/**
 * Outgoing webhooks (issue #6): subscriptions, deliveries with one row per attempt, the tenant's catalog of
 * application event types, and the idempotency keys of POST /api/events.
 */
export class Migration20261123140000_webhooks extends Migration {
  override async up(): Promise<void> {
    // BR-WH-07 per tenant, as max_active_api_keys is for keys; NULL takes WEBHOOKS_MAX_PER_TENANT.
    this.addSql('ALTER TABLE tenant ADD COLUMN max_webhooks int NULL;');

    this.addSql(`
      CREATE TABLE webhook (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        integration_id uuid NULL,
        url varchar(500) NOT NULL,
        description varchar(500) NULL,
        event_types jsonb NOT NULL,
        secret text NOT NULL,
        previous_secret text NULL,
        previous_secret_expires_at timestamptz NULL,
        is_active boolean NOT NULL DEFAULT true,
        disabled_at timestamptz NULL,
        disabled_reason varchar(500) NULL,
        max_retries int NOT NULL DEFAULT 5,
        backoff_multiplier int NOT NULL DEFAULT 2,
        timeout_seconds int NOT NULL DEFAULT 30,
        last_triggered_at timestamptz NULL,
        success_count bigint NOT NULL DEFAULT 0,
        failure_count bigint NOT NULL DEFAULT 0,
        failing_since timestamptz NULL,
        failure_alert_active boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid NULL,
        modified_at timestamptz NULL
      );`);
    this.addSql('CREATE INDEX webhook_tenant_idx ON webhook (tenant_id, created_at DESC);');
    this.addSql('CREATE INDEX webhook_failing_idx ON webhook (failing_since) WHERE is_active AND failing_since IS NOT NULL;');

    // The body is stored exactly as signed and sent, so a retry or replay sends the same bytes.
    this.addSql(`
      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        webhook_id uuid NOT NULL REFERENCES webhook(id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        event_type varchar(100) NOT NULL,
        payload text NOT NULL,
        status varchar(16) NOT NULL,
        attempt_count int NOT NULL DEFAULT 0,
        attempts_in_round int NOT NULL DEFAULT 0,
        http_status_code int NULL,
        response_body text NULL,
        error_message text NULL,
        scheduled_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        last_attempt_at timestamptz NULL,
        delivered_at timestamptz NULL,
        next_retry_at timestamptz NULL
      );`);
    this.addSql('CREATE UNIQUE INDEX webhook_delivery_event_uq ON webhook_delivery (webhook_id, event_id);');
    this.addSql('CREATE INDEX webhook_delivery_webhook_time_idx ON webhook_delivery (webhook_id, scheduled_at DESC);');
    this.addSql("CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_retry_at) WHERE status IN ('Pending', 'Retrying');");
    this.addSql('CREATE INDEX webhook_delivery_retention_idx ON webhook_delivery (scheduled_at);');

    this.addSql(`
      CREATE TABLE webhook_delivery_attempt (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_delivery(id) ON DELETE CASCADE,
        webhook_id uuid NOT NULL,
        attempt_number int NOT NULL,
        attempted_at timestamptz NOT NULL,
        duration_ms int NOT NULL,
        status_code int NULL,
        response_body text NULL,
        error_message text NULL,
        succeeded boolean NOT NULL
      );`);
    this.addSql('CREATE INDEX webhook_delivery_attempt_delivery_idx ON webhook_delivery_attempt (delivery_id, attempt_number);');
    this.addSql('CREATE INDEX webhook_delivery_attempt_recent_idx ON webhook_delivery_attempt (attempted_at, webhook_id);');

    this.addSql(`
      CREATE TABLE event_type_definition (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        description varchar(500) NULL,
        schema jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid NULL
      );`);
    this.addSql('CREATE UNIQUE INDEX event_type_definition_name_uq ON event_type_definition (tenant_id, name);');

    this.addSql(`
      CREATE TABLE event_idempotency_key (
        tenant_id uuid NOT NULL,
        idempotency_key varchar(200) NOT NULL,
        event_id uuid NOT NULL,
        event_type varchar(100) NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, idempotency_key)
      );`);
    this.addSql('CREATE INDEX event_idempotency_key_time_idx ON event_idempotency_key (created_at);');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS event_idempotency_key, event_type_definition, webhook_delivery_attempt, webhook_delivery, webhook CASCADE;');
    this.addSql('ALTER TABLE tenant DROP COLUMN IF EXISTS max_webhooks;');
  }
}
