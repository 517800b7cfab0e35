import { Migration } from '@mikro-orm/migrations';

/**
 * GitHub callbacks sign their body and nothing else: their delivery id comes from a header no signature covers,
 * so a captured callback resent under a fresh id passed the dedupe key. For them the body's SHA-256 is a second
 * key, unique per integration (a partial index: schemes whose signature covers more than the body leave it NULL;
 * the generic HMAC scheme, which also signs only the body, was given the same key later). The writer's
 * ON CONFLICT takes a conflict on either index as a duplicate. Rows stored before this migration keep NULL:
 * hashing them would rewrite the whole table during start-up, and replays stored earlier would break the unique
 * index. So a callback received before it can be resent once more under a fresh id; that copy is hashed, and
 * later ones are duplicates.
 */
export class Migration20261202100000_incoming_webhook_body_dedupe extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE inbound_webhook_event ADD COLUMN body_sha256 varchar(64) NULL;');
    this.addSql('CREATE UNIQUE INDEX inbound_webhook_event_body_uq ON inbound_webhook_event (integration_id, body_sha256) WHERE body_sha256 IS NOT NULL;');
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS inbound_webhook_event_body_uq;');
    this.addSql('ALTER TABLE inbound_webhook_event DROP COLUMN IF EXISTS body_sha256;');
  }
}
