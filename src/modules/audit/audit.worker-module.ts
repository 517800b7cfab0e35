import { Module } from '@nestjs/common';
import { AuditRetentionProcessor } from './workers/audit-retention.processor';

@Module({ providers: [AuditRetentionProcessor] })
export class AuditWorkerModule {}
