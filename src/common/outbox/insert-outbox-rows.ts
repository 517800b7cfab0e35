import { queryBound, StatementRunner } from '../database/bound-query';
import { postgresJson } from '../database/postgres-json';

/** An event as a row of `outbox_message`, for writers that insert many at once without entities. */
export interface OutboxRow {
  id: string;
  tenant_id: string | null;
  event_type: string;
  aggregate_id: string | null;
  payload: Record<string, unknown>;
  occurred_at: string;
}

/**
 * Inserts events into the outbox in one statement, however many: the relay hands them on once committed. For
 * hot paths that write events beside rows of their own (delivery outcomes, published application events);
 * aggregates' events go through the unit of work (stage-domain-events.ts).
 */
export async function insertOutboxRows(runner: StatementRunner, rows: ReadonlyArray<OutboxRow>): Promise<void> {
  if (!rows.length) return;
  await queryBound(
    runner,
    `INSERT INTO outbox_message (id, tenant_id, event_type, aggregate_id, payload, occurred_at)
     SELECT r.id, r.tenant_id, r.event_type, r.aggregate_id, r.payload, r.occurred_at
       FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, tenant_id uuid, event_type text, aggregate_id uuid, payload jsonb, occurred_at timestamptz)`,
    [postgresJson(rows)],
  );
}
