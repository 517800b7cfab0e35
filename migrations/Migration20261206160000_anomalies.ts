import { Migration } from '@mikro-orm/migrations';

/**
 * Anomaly detection (spec §10.2, DESIGN.md): one rolling baseline per watched subject and metric, and the
 * anomalies found against them. A baseline's `last_total` holds the cumulative counter it was last read at (an API
 * key's usage count), so an observation is the difference; `observed_until` is where the next observation starts.
 */
export class Migration20261206160000_anomalies extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE anomaly_baseline (
      metric varchar(40) NOT NULL,
      subject_id uuid NOT NULL,
      dimension varchar(200) NOT NULL DEFAULT '',
      tenant_id uuid NOT NULL,
      mean double precision NOT NULL,
      variance double precision NOT NULL,
      samples integer NOT NULL,
      last_total bigint NULL,
      observed_until timestamptz NOT NULL,
      PRIMARY KEY (metric, subject_id, dimension)
    );`);
    this.addSql('CREATE INDEX anomaly_baseline_observed_idx ON anomaly_baseline (observed_until);');
    this.addSql(`CREATE TABLE anomaly (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      metric varchar(40) NOT NULL,
      subject_type varchar(30) NOT NULL,
      subject_id uuid NOT NULL,
      dimension varchar(200) NULL,
      observed double precision NOT NULL,
      expected double precision NOT NULL,
      z_score double precision NOT NULL,
      baseline_samples integer NOT NULL,
      observed_at timestamptz NOT NULL,
      detected_at timestamptz NOT NULL
    );`);
    this.addSql('CREATE INDEX anomaly_tenant_time_idx ON anomaly (tenant_id, detected_at DESC, id);');
    this.addSql('CREATE INDEX anomaly_retention_idx ON anomaly (detected_at);');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS anomaly;');
    this.addSql('DROP TABLE IF EXISTS anomaly_baseline;');
  }
}
