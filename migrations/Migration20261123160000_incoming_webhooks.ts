import { Migration } from '@mikro-orm/migrations';

/** Verified provider callbacks, deduplicated per integration on the provider's delivery id. */
export class Migration20261123160000_incoming_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE inbound_webhook_event (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        integration_id uuid NOT NULL,
        provider varchar(100) NOT NULL,
        scheme varchar(30) NOT NULL,
        dedupe_key varchar(300) NOT NULL,
        event_type varchar(200) NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        body text NOT NULL,
        source_ip varchar(64) NOT NULL,
        received_at timestamptz NOT NULL,
        signed_at timestamptz NULL,
        status varchar(20) NOT NULL DEFAULT 'Received',
        processed_at timestamptz NULL,
        attempts int NOT NULL DEFAULT 0,
        last_error text NULL
      );`);
    this.addSql('CREATE UNIQUE INDEX inbound_webhook_event_dedupe_uq ON inbound_webhook_event (integration_id, dedupe_key);');
    this.addSql('CREATE INDEX inbound_webhook_event_list_idx ON inbound_webhook_event (tenant_id, integration_id, received_at DESC);');
    this.addSql('CREATE INDEX inbound_webhook_event_received_idx ON inbound_webhook_event (received_at);');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS inbound_webhook_event;');
  }
}
