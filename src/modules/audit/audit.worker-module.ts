import { Module } from '@nestjs/common';
import { retain } from '../../common/retention/retention';

/** §17.2: the API key audit trail is kept a year (AUDIT_RETENTION_DAYS). */
retain({ name: 'audit', table: 'audit_entry', column: 'created_at', days: (c) => c.audit.retentionDays, cron: (c) => c.audit.cleanupCron });
/**
 * Relayed outbox rows serve only to investigate delivery; a week is plenty. A row whose reactions have not all
 * run yet (its job waits, failed for good, or was lost) is kept until they have: the recovery needs it.
 * Rows relayed before jobs were recorded have no job id and age as before.
 */
retain({
  name: 'outbox',
  table: 'outbox_message',
  column: 'published_at',
  only: 'processed_at IS NOT NULL OR relay_job_id IS NULL',
  days: () => 7,
  cron: (c) => c.audit.cleanupCron,
});

@Module({})
export class AuditWorkerModule {}
