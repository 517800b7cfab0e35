import { EntityManager } from '@mikro-orm/postgresql';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { isoFromPgTimestamp, isoFromPgTimestampOrNull } from '../../../../common/database/pg-timestamp';
import { queryPrepared } from '../../../../common/database/prepared-query';
import type { Page } from '../../../../common/http/pagination';
import { IntegrationSummary, ListIntegrationsQuery } from './list-integrations.query';

interface SummaryRow {
  id: string;
  name: string;
  integration_type: IntegrationSummary['integrationType'];
  provider: string;
  status: IntegrationSummary['status'];
  status_reason: string | null;
  is_enabled: boolean;
  health_status: IntegrationSummary['healthStatus'];
  last_health_check: string | null;
  last_sync_time: string | null;
  created_at: string;
  created_by: string | null;
  modified_at: string | null;
  modified_by: string | null;
  total: string;
}

/**
 * The list is the hottest read (§9.1, issue #3's p99 target): one statement, mapped to plain rows rather than
 * hydrated aggregates. The page is read in index order (LIMIT/OFFSET on the tenant's (type | status | provider,
 * created_at) indexes, or (type, status, created_at) for both filters), and the total is summed from the
 * tenant's counters per (type, status, provider), which a trigger keeps in step with every write (see the
 * integration_counts migration): counting the matching rows instead cost PostgreSQL more than the page itself
 * and grew with the tenant. It runs prepared, one statement per combination of filters, because planning it
 * cost PostgreSQL about as much as running it.
 */
@QueryHandler(ListIntegrationsQuery)
export class ListIntegrationsHandler implements IQueryHandler<ListIntegrationsQuery> {
  constructor(private readonly em: EntityManager) {}

  async execute({ tenantId, page, pageSize, filters }: ListIntegrationsQuery): Promise<Page<IntegrationSummary>> {
    const rowConditions: string[] = [];
    const countConditions: string[] = [];
    const params: unknown[] = [];
    const filter = (rowCondition: string, countCondition: string, value: unknown) => {
      params.push(value);
      rowConditions.push(rowCondition.replace('?', `$${params.length}`));
      countConditions.push(countCondition.replace('?', `$${params.length}`));
    };
    filter('tenant_id = ?', 'tenant_id = ?', tenantId);
    if (filters.type) filter('integration_type = ?', 'integration_type = ?', filters.type);
    if (filters.status) filter('status = ?', 'status = ?', filters.status);
    // Providers are stored in their adapter's spelling; the filter ignores case like creation does.
    if (filters.provider) filter('lower(provider) = lower(?)', 'provider_lower = lower(?)', filters.provider);
    // The SQL depends only on which filters are given: one prepared statement for each combination.
    const shape = (['type', 'status', 'provider'] as const).filter((key) => filters[key]).join(',');
    const count = `SELECT coalesce(sum(n), 0) AS n FROM integration_count WHERE ${countConditions.join(' AND ')}`;
    const rows = await queryPrepared<SummaryRow>(
      this.em,
      `list-integrations(${shape})`,
      `SELECT id, name, integration_type, provider, status, status_reason, is_enabled, health_status, last_health_check, last_sync_time,
              created_at, created_by, modified_at, modified_by, (${count}) AS total
         FROM integration WHERE ${rowConditions.join(' AND ')} ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, pageSize, (page - 1) * pageSize],
    );
    // Past the last page there is no row to carry the total.
    const total = rows.length ? Number(rows[0].total) : Number((await queryPrepared<{ n: string }>(this.em, `count-integrations(${shape})`, count, params))[0].n);
    return { items: rows.map(toSummary), total, page, pageSize };
  }
}

/** The driver hands timestamps of raw queries back as text, which becomes the API's form without a Date. */
function toSummary(row: SummaryRow): IntegrationSummary {
  return {
    id: row.id,
    name: row.name,
    integrationType: row.integration_type,
    provider: row.provider,
    status: row.status,
    statusReason: row.status_reason,
    isEnabled: row.is_enabled,
    healthStatus: row.health_status,
    lastHealthCheck: isoFromPgTimestampOrNull(row.last_health_check),
    lastSyncTime: isoFromPgTimestampOrNull(row.last_sync_time),
    createdAt: isoFromPgTimestamp(row.created_at),
    createdBy: row.created_by,
    modifiedAt: isoFromPgTimestampOrNull(row.modified_at),
    modifiedBy: row.modified_by,
  };
}
