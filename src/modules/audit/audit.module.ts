import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuditEntry } from '../../common/audit/audit-entry.entity';
import { AuditController } from './http/audit.controller';
import { ListAuditEntriesHandler } from './queries/list-audit-entries/list-audit-entries.handler';

/**
 * The audit trail's read side. Entries are written by the unit of work, one per domain event, in the same
 * transaction as the change (src/common/outbox/stage-domain-events.ts).
 */
@Module({
  imports: [MikroOrmModule.forFeature([AuditEntry])],
  controllers: [AuditController],
  providers: [ListAuditEntriesHandler],
})
export class AuditModule {}
