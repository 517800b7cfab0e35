import { Query } from '@nestjs/cqrs';
import type { AuditEntry } from '../../../../common/audit/audit-entry.entity';
import type { Page } from '../../../../common/http/pagination';

export interface AuditFilter {
  resourceType?: string;
  resourceId?: string;
  action?: string;
  actorApiKeyId?: string;
  since?: Date;
  until?: Date;
}

export class ListAuditEntriesQuery extends Query<Page<AuditEntry>> {
  constructor(
    readonly tenantId: string,
    readonly filter: AuditFilter,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
