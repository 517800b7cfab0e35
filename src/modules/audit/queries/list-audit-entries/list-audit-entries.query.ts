import { Query } from '@nestjs/cqrs';
import type { AuditEntry } from '../../../../common/audit/audit-entry.entity';
import type { Actor } from '../../../../common/cqrs/actor';
import type { Page } from '../../../../common/http/pagination';

export interface AuditFilter {
  resourceType?: string;
  resourceId?: string;
  action?: string;
  actorApiKeyId?: string;
  since?: Date;
  until?: Date;
}

/** The trail of the reader's tenant, as far as the reader's key may see it (ListAuditEntriesHandler). */
export class ListAuditEntriesQuery extends Query<Page<AuditEntry>> {
  constructor(
    readonly reader: Actor,
    readonly filter: AuditFilter,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
