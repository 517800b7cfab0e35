import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123130000_foundation } from './Migration20261123130000_foundation';
import { Migration20261123140000_webhooks } from './Migration20261123140000_webhooks';
import { Migration20261123150000_integrations } from './Migration20261123150000_integrations';
import { Migration20261123160000_incoming_webhooks } from './Migration20261123160000_incoming_webhooks';
import { Migration20261123170000_data_sync } from './Migration20261123170000_data_sync';
import { Migration20261123183000_integration_list_index } from './Migration20261123183000_integration_list_index';
import { Migration20261124090000_delivery_batch_jobs } from './Migration20261124090000_delivery_batch_jobs';
import { Migration20261124100000_integration_counts } from './Migration20261124100000_integration_counts';
import { Migration20261202090000_outbox_processing } from './Migration20261202090000_outbox_processing';
import { Migration20261202100000_incoming_webhook_body_dedupe } from './Migration20261202100000_incoming_webhook_body_dedupe';
import { Migration20261202110000_data_sync_idempotency_key } from './Migration20261202110000_data_sync_idempotency_key';
import { Migration20261203090000_webhook_attempt_tenant } from './Migration20261203090000_webhook_attempt_tenant';
import { Migration20261206160000_anomalies } from './Migration20261206160000_anomalies';
import { Migration20261206200000_integration_consecutive_refusals } from './Migration20261206200000_integration_consecutive_refusals';

/** Every migration, in order. A new one is a class in this folder and a line here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261123130000_foundation', class: Migration20261123130000_foundation },
  { name: 'Migration20261123140000_webhooks', class: Migration20261123140000_webhooks },
  { name: 'Migration20261123150000_integrations', class: Migration20261123150000_integrations },
  { name: 'Migration20261123160000_incoming_webhooks', class: Migration20261123160000_incoming_webhooks },
  { name: 'Migration20261123170000_data_sync', class: Migration20261123170000_data_sync },
  { name: 'Migration20261123183000_integration_list_index', class: Migration20261123183000_integration_list_index },
  { name: 'Migration20261124090000_delivery_batch_jobs', class: Migration20261124090000_delivery_batch_jobs },
  { name: 'Migration20261124100000_integration_counts', class: Migration20261124100000_integration_counts },
  { name: 'Migration20261202090000_outbox_processing', class: Migration20261202090000_outbox_processing },
  { name: 'Migration20261202100000_incoming_webhook_body_dedupe', class: Migration20261202100000_incoming_webhook_body_dedupe },
  { name: 'Migration20261202110000_data_sync_idempotency_key', class: Migration20261202110000_data_sync_idempotency_key },
  { name: 'Migration20261203090000_webhook_attempt_tenant', class: Migration20261203090000_webhook_attempt_tenant },
  { name: 'Migration20261206160000_anomalies', class: Migration20261206160000_anomalies },
  { name: 'Migration20261206200000_integration_consecutive_refusals', class: Migration20261206200000_integration_consecutive_refusals },
];
