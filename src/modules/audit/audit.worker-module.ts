import { Module } from '@nestjs/common';
import { retain } from '../../common/retention/retention';

/** §17.2: the API key audit trail is kept a year (AUDIT_RETENTION_DAYS). */
retain({ name: 'audit', table: 'audit_entry', column: 'created_at', days: (c) => c.audit.retentionDays, cron: (c) => c.audit.cleanupCron });
/** Relayed outbox rows serve only to investigate delivery; a week is plenty. */
retain({ name: 'outbox', table: 'outbox_message', column: 'published_at', days: () => 7, cron: (c) => c.audit.cleanupCron });

@Module({})
export class AuditWorkerModule {}
