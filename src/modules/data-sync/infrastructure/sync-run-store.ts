import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import type { SyncCheckpoint, SyncLogLevel, SyncStatus, SyncType, SyncDirection } from '../domain/sync-types';
import type { IntegrationSyncState } from '../domain/sync-rules';
import { postgresJson } from '../../../common/database/postgres-json';
import { statementFault } from '../../../common/database/statement-failure';

/** A job as the executor sees it after claiming it. */
export interface ClaimedJob {
  id: string;
  tenantId: string;
  integrationId: string;
  syncType: SyncType;
  direction: SyncDirection;
  status: SyncStatus;
  checkpoint: SyncCheckpoint | null;
  runs: number;
  cancelRequested: boolean;
}

export type ClaimResult = { kind: 'claimed'; job: ClaimedJob } | { kind: 'busy' } | { kind: 'not-runnable' };

/** A record ready to store: its JSON as read (PostgreSQL hashes the canonical jsonb). */
export interface StorableRecord {
  externalId: string;
  modifiedAt: Date | null;
  json: string;
}

export interface SyncLogLine {
  level: SyncLogLevel;
  message: string;
  entity?: string | null;
  externalId?: string | null;
  details?: Record<string, unknown> | null;
}

/** One batch: its records, its failures, and where the source stands after it. */
export interface BatchWrite {
  jobId: string;
  tenantId: string;
  integrationId: string;
  leaseToken: string;
  leaseMs: number;
  entity: string;
  /** Full syncs mark every record they see, so the records left unmarked at the end are the deleted ones. */
  markSeen: boolean;
  records: StorableRecord[];
  /** Records refused before storing (no id, too large…), plus duplicates resolved in the batch. */
  failures: SyncLogLine[];
  duplicates: number;
  checkpoint: SyncCheckpoint;
  /** Export: the records the external system accepted, marked exported in the batch's transaction. */
  exported?: ExportedKey[];
}

/** A local record to export: a change made here, newer than the version last exported and than the source's. */
export interface ExportableRecord {
  entity: string;
  externalId: string;
  data: Record<string, unknown>;
  /** local_modified_at, as an ISO string at microsecond precision (it is the export's keyset position). */
  modifiedAt: string;
}

export type ExportedKey = Pick<ExportableRecord, 'entity' | 'externalId' | 'modifiedAt'>;

export interface BatchCounts {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface JobProgressRow {
  recordsTotal: number;
  recordsProcessed: number;
  recordsFailed: number;
  startedAt: Date | null;
  cancelRequested: boolean;
}

/** The lease was taken over (it lapsed while this worker was stalled): the batch must not count. */
export class LeaseLostError extends Error {
  constructor() {
    super('The job lease was lost to another worker');
    this.name = 'LeaseLostError';
  }
}

/**
 * A record changed here and not exported since (in its current version): the export sends it, and a Full import's
 * end must not take it for a record the source deleted, since the source may never have had it.
 */
function unexportedLocalChange(alias = ''): string {
  const column = (name: string) => `${alias}${name}`;
  return `(${column('local_modified_at')} IS NOT NULL AND (${column('exported_at')} IS NULL OR ${column('local_modified_at')} > ${column('exported_at')}))`;
}
export const UNEXPORTED_LOCAL_CHANGE = unexportedLocalChange();

/**
 * Stored records win over older incoming versions (BR-DS-07), and so does a local change newer than the incoming
 * version (a Bidirectional sync exports it afterwards); a record is changed when its canonical content differs.
 * An incoming version without a modification time (a resource with no `updatedAtField`) cannot be ordered against
 * anything: it replaces the stored one, except a local change not yet exported, which would otherwise be lost
 * unseen; once exported, the source holds it too and wins again.
 */
const ACCEPTED = `((p.source_modified_at IS NULL OR i.modified_at IS NULL OR i.modified_at >= p.source_modified_at)
  AND (p.local_modified_at IS NULL OR (i.modified_at IS NULL AND NOT ${unexportedLocalChange('p.')}) OR i.modified_at > p.local_modified_at))`;
const CHANGED = `(p.content_hash <> i.content_hash OR p.deleted)`;
/** The same rule inside the upsert, between the stored row and the incoming one. */
const INCOMING_WINS = `((s.source_modified_at IS NULL OR EXCLUDED.source_modified_at IS NULL OR EXCLUDED.source_modified_at >= s.source_modified_at)
  AND (s.local_modified_at IS NULL OR (EXCLUDED.source_modified_at IS NULL AND NOT ${unexportedLocalChange('s.')}) OR EXCLUDED.source_modified_at > s.local_modified_at)
  AND (s.content_hash <> EXCLUDED.content_hash OR s.deleted))`;

/**
 * The executor's SQL: claiming a job within the running limits, storing a batch of records with a bulk upsert
 * and its checkpoint in one transaction, renewing and releasing the lease. Raw SQL because these are the hot
 * writes (BASELINES.md: one multi-row statement per batch runs ~10× faster than rows one by one).
 */
@Injectable()
export class SyncRunStore {
  constructor(private readonly em: EntityManager) {}

  private knex(): Knex {
    return this.em.getConnection().getKnex();
  }

  /**
   * Takes a job for this worker when it is due (or its previous worker's lease lapsed) and there is room:
   * fewer than `maxRunning` jobs running everywhere, the tenant below its fair share (the limit split evenly
   * between tenants with due or running jobs), and no other job of the same integration running. One advisory
   * lock serializes claims, so two workers cannot both take the last slot. The job's row is locked from the read
   * on: a cancellation or the end of a run committing meanwhile is then seen, and never turned back to Running.
   */
  async claim(jobId: string, leaseToken: string, leaseMs: number, maxRunning: number): Promise<ClaimResult> {
    return this.knex().transaction(async (trx) => {
      // The job's row first, the claims' lock second: a claim waiting on a row held long (the end of a run,
      // deleting what a Full import did not see) then waits alone, instead of holding up every claim behind it.
      // Every claim takes the two in this order, so two claims of one job cannot deadlock.
      const job = first<{ tenant_id: string; integration_id: string; status: SyncStatus; runnable: boolean; started_at: string | null }>(
        await trx.raw(
          `SELECT tenant_id, integration_id, status, started_at::text AS started_at,
                  ((status = 'Scheduled' AND scheduled_at <= now() + interval '1 second')
                    OR (status = 'Running' AND (lease_expires_at IS NULL OR lease_expires_at < now()))) AS runnable
             FROM data_sync_job WHERE id = ? FOR UPDATE`,
          [jobId],
        ),
      );
      if (!job?.runnable) return { kind: 'not-runnable' } as const;
      await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('data_sync_claim'))`);
      // One job runs per integration, and a Running job keeps its integration between its runs too (a timeout, a
      // shutdown or a lost worker let its lease lapse until it resumes): another job of the integration taken in
      // that gap would overwrite the marks a Full import leaves on the records it saw, and the Full import would
      // then flag live records deleted when it ends. Of two Running jobs of one integration (left by an older
      // build), the one started first goes on, so neither waits for the other for good.
      const load = first<{ running: string; tenant_running: string; integration_running: string; tenants: string }>(
        await trx.raw(
          `SELECT count(*) FILTER (WHERE status = 'Running' AND lease_expires_at > now()) AS running,
                  count(*) FILTER (WHERE status = 'Running' AND lease_expires_at > now() AND tenant_id = ?) AS tenant_running,
                  count(*) FILTER (WHERE status = 'Running' AND integration_id = ? AND id <> ?
                                     AND (lease_expires_at > now() OR (started_at, id) < (COALESCE(?::timestamptz, 'infinity'), ?::uuid))) AS integration_running,
                  count(DISTINCT tenant_id) AS tenants
             FROM data_sync_job
            WHERE status = 'Running' OR (status = 'Scheduled' AND scheduled_at <= now())`,
          [job.tenant_id, job.integration_id, jobId, job.started_at, jobId],
        ),
      )!;
      const fairShare = Math.max(1, Math.ceil(maxRunning / Math.max(1, Number(load.tenants))));
      if (Number(load.running) >= maxRunning || Number(load.tenant_running) >= fairShare || Number(load.integration_running) > 0) return { kind: 'busy' } as const;
      const row = first<Record<string, unknown>>(
        await trx.raw(
          `UPDATE data_sync_job
              SET status = 'Running', lease_token = ?, lease_expires_at = now() + make_interval(secs => ?),
                  started_at = COALESCE(started_at, now()), runs = runs + 1
            WHERE id = ?
        RETURNING id, tenant_id, integration_id, sync_type, direction, status, checkpoint, runs, cancel_requested_at`,
          [leaseToken, leaseMs / 1000, jobId],
        ),
      )!;
      return {
        kind: 'claimed',
        job: {
          id: row.id as string,
          tenantId: row.tenant_id as string,
          integrationId: row.integration_id as string,
          syncType: row.sync_type as SyncType,
          direction: row.direction as SyncDirection,
          status: row.status as SyncStatus,
          checkpoint: (row.checkpoint as SyncCheckpoint | null) ?? null,
          runs: row.runs as number,
          cancelRequested: row.cancel_requested_at !== null,
        },
      } as const;
    });
  }

  /** Keeps the claim alive while a slow page is read; false when it was lost. */
  async renewLease(jobId: string, leaseToken: string, leaseMs: number): Promise<boolean> {
    const result = await this.knex().raw(`UPDATE data_sync_job SET lease_expires_at = now() + make_interval(secs => ?) WHERE id = ? AND lease_token = ? AND status = 'Running'`, [
      leaseMs / 1000,
      jobId,
      leaseToken,
    ]);
    return (result as { rowCount: number }).rowCount > 0;
  }

  /** The integration's status and enablement, which a run checks after each batch: one read by primary key. */
  async integrationState(integrationId: string): Promise<IntegrationSyncState | null> {
    const row = first<{ status: string; is_enabled: boolean }>(await this.knex().raw('SELECT status, is_enabled FROM integration WHERE id = ?', [integrationId]));
    return row ? { status: row.status, isEnabled: row.is_enabled } : null;
  }

  /** Gives the job up so the next worker (or a retry of this one) can take it at once, from its checkpoint. */
  async release(jobId: string, leaseToken: string): Promise<void> {
    await this.knex().raw(`UPDATE data_sync_job SET lease_expires_at = now() - interval '1 millisecond' WHERE id = ? AND lease_token = ?`, [jobId, leaseToken]);
  }

  /** Saves the checkpoint alone (moving to the next resource, or to the export phase). */
  async saveCheckpoint(jobId: string, leaseToken: string, checkpoint: SyncCheckpoint): Promise<void> {
    const result = await this.knex().raw(`UPDATE data_sync_job SET checkpoint = ?::jsonb, last_checkpoint_at = now() WHERE id = ? AND lease_token = ? AND status = 'Running'`, [
      JSON.stringify(checkpoint),
      jobId,
      leaseToken,
    ]);
    if ((result as { rowCount: number }).rowCount === 0) throw new LeaseLostError();
  }

  /**
   * Stores a batch and its checkpoint in one transaction. When the bulk statement fails, the batch is tried
   * again in halves (each in a savepoint) down to single records; a record that fails alone is logged as
   * failed and skipped (§11.4), and the rest still commit with the one checkpoint. Returns the counts and
   * whether a cancellation was asked for.
   */
  async writeBatch(batch: BatchWrite): Promise<BatchCounts & JobProgressRow> {
    return this.knex().transaction(async (trx) => {
      const failures = [...batch.failures];
      const counts: BatchCounts = { created: 0, updated: 0, unchanged: batch.duplicates, failed: batch.failures.length };
      await this.upsertSplitting(trx, batch, batch.records, counts, failures);
      if (failures.length) await this.insertLogs(trx, batch.jobId, batch.tenantId, failures);
      if (batch.markSeen) await this.markFailedSeen(trx, batch, failures);
      const exported = batch.exported?.length ?? 0;
      if (exported) await this.markExported(trx, batch.jobId, batch.integrationId, batch.exported!);
      const processed = counts.created + counts.updated + counts.unchanged + exported;
      const row = first<Record<string, unknown>>(
        await trx.raw(
          `UPDATE data_sync_job SET
              checkpoint = ?::jsonb,
              records_processed = records_processed + ?, records_failed = records_failed + ?,
              records_created = records_created + ?, records_updated = records_updated + ?, records_unchanged = records_unchanged + ?,
              records_exported = records_exported + ?,
              records_total = GREATEST(?, records_processed + records_failed + ? + ?),
              batches_completed = batches_completed + 1, last_checkpoint_at = now(),
              lease_expires_at = now() + make_interval(secs => ?)
            WHERE id = ? AND lease_token = ? AND status = 'Running'
        RETURNING records_total, records_processed, records_failed, started_at, cancel_requested_at`,
          [
            JSON.stringify(batch.checkpoint),
            processed,
            counts.failed,
            counts.created,
            counts.updated,
            counts.unchanged,
            exported,
            batch.checkpoint.reportedTotal,
            processed,
            counts.failed,
            batch.leaseMs / 1000,
            batch.jobId,
            batch.leaseToken,
          ],
        ),
      );
      if (!row) throw new LeaseLostError();
      return {
        ...counts,
        recordsTotal: row.records_total as number,
        recordsProcessed: row.records_processed as number,
        recordsFailed: row.records_failed as number,
        startedAt: row.started_at as Date | null,
        cancelRequested: row.cancel_requested_at !== null,
      };
    });
  }

  /**
   * The next records to export, in (local_modified_at, entity, external_id) order after `after`: changed here since
   * their last export, not deleted, and not older than the source's version (BR-DS-07: the source changed it
   * since, so the import side wins).
   */
  async exportable(integrationId: string, entities: string[], after: ExportedKey | null, limit: number): Promise<ExportableRecord[]> {
    const result = await this.knex().raw(
      `SELECT entity, external_id, data, to_char(local_modified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS modified_at
         FROM synced_record
        WHERE integration_id = ? AND entity = ANY(?) AND NOT deleted
          AND ${UNEXPORTED_LOCAL_CHANGE}
          AND (source_modified_at IS NULL OR local_modified_at >= source_modified_at)
          AND (local_modified_at, entity, external_id) > (?::timestamptz, ?, ?)
        ORDER BY local_modified_at, entity, external_id
        LIMIT ?`,
      [integrationId, entities, after?.modifiedAt ?? '-infinity', after?.entity ?? '', after?.externalId ?? '', limit],
    );
    return (result as { rows: Array<{ entity: string; external_id: string; data: Record<string, unknown>; modified_at: string }> }).rows.map((row) => ({
      entity: row.entity,
      externalId: row.external_id,
      data: row.data,
      modifiedAt: row.modified_at,
    }));
  }

  /** Writes one line to the job's log, in `transaction` when given (it then commits or rolls back with it). */
  async log(jobId: string, tenantId: string, line: SyncLogLine, transaction?: Knex.Transaction): Promise<void> {
    await this.insertLogs(transaction ?? this.knex(), jobId, tenantId, [line]);
  }

  private async upsertSplitting(trx: Knex.Transaction, batch: BatchWrite, records: StorableRecord[], counts: BatchCounts, failures: SyncLogLine[]): Promise<void> {
    if (!records.length) return;
    try {
      await trx.transaction(async (savepoint) => {
        const result = await this.upsert(savepoint, batch, records);
        counts.created += result.created;
        counts.updated += result.updated;
        counts.unchanged += result.unchanged;
      });
    } catch (error) {
      if (records.length === 1) {
        counts.failed++;
        // The fault's code and routine, not the error's message: knex writes the whole statement into it, other
        // records of the batch included, and the line goes to the job's log.
        failures.push({ level: 'Error', message: `PostgreSQL refused to store the record (${statementFault(error)})`, entity: batch.entity, externalId: records[0].externalId });
        return;
      }
      const half = Math.ceil(records.length / 2);
      await this.upsertSplitting(trx, batch, records.slice(0, half), counts, failures);
      await this.upsertSplitting(trx, batch, records.slice(half), counts, failures);
    }
  }

  /**
   * One statement for the whole batch: the incoming rows (from one JSON parameter), the stored versions they
   * meet, and the upsert of those that are new, or changed and not older than what is stored; a Full sync also
   * marks the rows it leaves as they were as seen. The counts come from the same snapshot.
   */
  private async upsert(trx: Knex.Transaction, batch: BatchWrite, records: StorableRecord[]): Promise<Omit<BatchCounts, 'failed'>> {
    const rows = records
      .map((r) => `{"external_id":${postgresJson(r.externalId)},"modified_at":${r.modifiedAt ? `"${r.modifiedAt.toISOString()}"` : 'null'},"data":${r.json}}`)
      .join(',');
    const result = await trx.raw(
      `WITH incoming AS (
         SELECT r.external_id, r.data, r.modified_at, md5(r.data::text) AS content_hash
           FROM jsonb_to_recordset(:rows::jsonb) AS r(external_id text, data jsonb, modified_at timestamptz)
       ), previous AS (
         SELECT s.external_id, s.content_hash, s.source_modified_at, s.local_modified_at, s.exported_at, s.deleted
           FROM synced_record s JOIN incoming i ON s.external_id = i.external_id
          WHERE s.integration_id = :integrationId AND s.entity = :entity
       ), written AS (
         INSERT INTO synced_record AS s (tenant_id, integration_id, entity, external_id, data, source_modified_at, content_hash, deleted, last_seen_job_id, synced_at)
         SELECT :tenantId, :integrationId, :entity, i.external_id, i.data, i.modified_at, i.content_hash, false, :jobId, now() FROM incoming i
         ON CONFLICT (integration_id, entity, external_id) DO UPDATE SET
           data = CASE WHEN ${INCOMING_WINS} THEN EXCLUDED.data ELSE s.data END,
           source_modified_at = CASE WHEN ${INCOMING_WINS} THEN EXCLUDED.source_modified_at ELSE s.source_modified_at END,
           content_hash = CASE WHEN ${INCOMING_WINS} THEN EXCLUDED.content_hash ELSE s.content_hash END,
           deleted = CASE WHEN ${INCOMING_WINS} THEN false ELSE s.deleted END,
           synced_at = CASE WHEN ${INCOMING_WINS} THEN EXCLUDED.synced_at ELSE s.synced_at END,
           local_modified_at = CASE WHEN ${INCOMING_WINS} THEN NULL ELSE s.local_modified_at END,
           last_seen_job_id = EXCLUDED.last_seen_job_id
         WHERE ${batch.markSeen ? 'true' : INCOMING_WINS}
         RETURNING 1
       )
       SELECT count(*) FILTER (WHERE p.external_id IS NULL)::int AS created,
              count(*) FILTER (WHERE p.external_id IS NOT NULL AND ${ACCEPTED} AND ${CHANGED})::int AS updated,
              count(*) FILTER (WHERE p.external_id IS NOT NULL AND NOT (${ACCEPTED} AND ${CHANGED}))::int AS unchanged
         FROM incoming i LEFT JOIN previous p ON p.external_id = i.external_id`,
      { rows: `[${rows}]`, jobId: batch.jobId, integrationId: batch.integrationId, tenantId: batch.tenantId, entity: batch.entity },
    );
    return first<{ created: number; updated: number; unchanged: number }>(result)!;
  }

  /**
   * The exported version is the one marked: a record changed again meanwhile stays due for the next export. The
   * external system has the record now, so a Full Bidirectional job counts it as seen and does not flag it deleted.
   */
  private async markExported(trx: Knex.Transaction, jobId: string, integrationId: string, keys: ExportedKey[]): Promise<void> {
    await trx.raw(
      `UPDATE synced_record s SET exported_at = r.modified_at, last_seen_job_id = ?
         FROM jsonb_to_recordset(?::jsonb) AS r(entity text, external_id text, modified_at timestamptz)
        WHERE s.integration_id = ? AND s.entity = r.entity AND s.external_id = r.external_id`,
      [jobId, JSON.stringify(keys.map((k) => ({ entity: k.entity, external_id: k.externalId, modified_at: k.modifiedAt }))), integrationId],
    );
  }

  /** A record the source sent but this job could not store (too large, a bad date…) still exists there: not deleted. */
  private async markFailedSeen(trx: Knex.Transaction, batch: BatchWrite, failures: SyncLogLine[]): Promise<void> {
    const ids = failures.flatMap((failure) => (failure.externalId ? [failure.externalId] : []));
    if (!ids.length) return;
    await trx.raw(`UPDATE synced_record SET last_seen_job_id = ? WHERE integration_id = ? AND entity = ? AND external_id = ANY(?)`, [
      batch.jobId,
      batch.integrationId,
      batch.entity,
      ids,
    ]);
  }

  private async insertLogs(db: Knex | Knex.Transaction, jobId: string, tenantId: string, lines: SyncLogLine[]): Promise<void> {
    const now = new Date().toISOString();
    await db.raw(
      `INSERT INTO data_sync_log (id, tenant_id, job_id, level, message, entity, external_id, details, created_at)
       SELECT r.id, ?, ?, r.level, r.message, r.entity, r.external_id, r.details, ?
         FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, level text, message text, entity text, external_id text, details jsonb)`,
      [
        tenantId,
        jobId,
        now,
        postgresJson(lines.map((l) => ({ id: randomUUID(), level: l.level, message: l.message, entity: l.entity ?? null, external_id: l.externalId ?? null, details: l.details ?? null }))),
      ],
    );
  }
}

function first<T>(result: unknown): T | undefined {
  return (result as { rows: T[] }).rows[0];
}
