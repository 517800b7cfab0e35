import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import { CommandBus } from '@nestjs/cqrs';
import type { Job, Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { systemActor } from '../../../common/cqrs/actor';
import { SECRET_VAULT, SecretVault } from '../../../common/crypto/secret-vault';
import { iso } from '../../../common/http/iso';
import { RecordIntegrationCheckCommand } from '../../integrations/commands/record-integration-check/record-integration-check.command';
import { Integration } from '../../integrations/domain/integration.entity';
import { ConnectorConfigurationError, ConnectorFactory } from '../connectors/connector-factory';
import { ConnectorError, SourcePage, SourceRecord, SyncConnector, SyncResource } from '../connectors/sync-connector';
import { FinishDataSyncRunCommand } from '../commands/finish-data-sync-run/finish-data-sync-run.command';
import type { RunOutcome } from '../domain/data-sync-job.entity';
import { IntegrationSyncState, syncBlocker } from '../domain/sync-rules';
import { INITIAL_CHECKPOINT, SyncCheckpoint } from '../domain/sync-types';
import { DATA_SYNC_QUEUE, DataSyncRunJob, RunLaterError } from '../infrastructure/data-sync-queue';
import { syncBatchDuration, syncFailures, syncJobsFinished, syncJobsRunning, syncRecords } from '../infrastructure/data-sync-metrics';
import { SyncProgressChannel } from '../infrastructure/sync-progress.channel';
import { BatchWrite, ClaimedJob, ExportedKey, JobProgressRow, LeaseLostError, StorableRecord, SyncLogLine, SyncRunStore } from '../infrastructure/sync-run-store';

/** Why a run stopped before its end; the job itself goes on from its checkpoint. */
class RunInterrupted extends Error {
  constructor(readonly why: 'timeout' | 'shutdown' | 'lease-lost') {
    super(`Run interrupted: ${why}`);
  }
}

/**
 * The integration stopped being one a sync may use (disconnected, suspended, disabled…) while the job ran: the job
 * fails there, keeping what its earlier batches stored, and is not completed (a Full import marks nothing deleted).
 */
class IntegrationWithdrawn extends Error {}

/**
 * How long before a job started the next Incremental begins reading, at the latest (see watermark()): the source
 * stamps its records with its own clock, and the job's start is PostgreSQL's: a source running behind ours stamps a
 * change made just after the start with an earlier time. A few minutes covers the usual skew; a source further
 * behind than that can still lose such a change to the next Incremental (a Full or Differential sync reads it).
 */
const SOURCE_CLOCK_SKEW_SECONDS = 5 * 60;

/** A page that failed even after the client's retries is asked again this many times, each time half as big. */
const PAGE_SHRINKS = 2;

/**
 * UC-DS-02, the Data Sync Executor of §14.2: takes a job from Bull, claims it in PostgreSQL (within the running
 * limits, fairly between tenants), and imports each of the connector's resources in batches of at most
 * DATA_SYNC_BATCH_SIZE records (BR-DS-03): pages are read until the batch is full, checked record by record
 * (bad ones are logged and skipped, BR-DS-04), deduplicated by external id (BR-DS-06), and stored with one
 * bulk upsert that keeps the newer version (BR-DS-07), together with the checkpoint and counters in one
 * transaction. A crash, a timeout (BR-DS-05) or a shutdown therefore resumes after the last committed batch and
 * never counts a record twice. Cancellation is seen at the batch boundary, and so is an integration that stopped
 * being syncable meanwhile (one primary-key read per batch): the job then fails before it asks the source again.
 */
@Injectable()
export class DataSyncExecutor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DataSyncExecutor.name);
  private readonly running = new Map<string, AbortController>();

  constructor(
    @InjectQueue(DATA_SYNC_QUEUE) private readonly queue: Queue<DataSyncRunJob>,
    private readonly store: SyncRunStore,
    private readonly connectors: ConnectorFactory,
    private readonly progress: SyncProgressChannel,
    private readonly commands: CommandBus,
    private readonly em: EntityManager,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.queue.process(this.config.dataSync.workerConcurrency, (job: Job<DataSyncRunJob>) => this.run(job.data.dataSyncJobId));
  }

  /** Running jobs stop where they are (the open batch is not committed) and give their lease back, to resume elsewhere. */
  beforeApplicationShutdown(): void {
    for (const controller of this.running.values()) controller.abort(new RunInterrupted('shutdown'));
  }

  async run(dataSyncJobId: string): Promise<void> {
    const settings = this.config.dataSync;
    const leaseToken = randomUUID();
    const claim = await this.store.claim(dataSyncJobId, leaseToken, settings.leaseMs, settings.maxRunningJobs);
    if (claim.kind === 'not-runnable') return;
    if (claim.kind === 'busy') throw new RunLaterError('Every data sync slot is taken (or this integration is syncing); waiting for one');
    const job = claim.job;

    const controller = new AbortController();
    this.running.set(job.id, controller);
    syncJobsRunning.inc();
    const deadline = setTimeout(() => controller.abort(new RunInterrupted('timeout')), settings.runTimeoutSeconds * 1000);
    const heartbeat = setInterval(() => {
      this.store.renewLease(job.id, leaseToken, settings.leaseMs).then(
        (held) => held || controller.abort(new RunInterrupted('lease-lost')),
        (error: Error) => this.logger.warn(`Renewing the lease of ${job.id}: ${error.message}`),
      );
    }, Math.max(100, settings.leaseMs / 3));
    try {
      const outcome = await this.outcomeOf(job, leaseToken, controller.signal);
      await this.finish(job, leaseToken, outcome.outcome, outcome.markUnseenDeletedIn);
    } catch (error) {
      const interruption = error instanceof RunInterrupted ? error : error instanceof LeaseLostError ? new RunInterrupted('lease-lost') : null;
      if (!interruption) {
        // PostgreSQL or Redis trouble: give the job back; Bull tries again with backoff, within DATA_SYNC_MAX_RUNS.
        await this.store.release(job.id, leaseToken).catch(() => undefined);
        throw error;
      }
      if (interruption.why === 'lease-lost') return;
      await this.store.log(job.id, job.tenantId, {
        level: 'Warning',
        message: interruption.why === 'timeout' ? `The run reached the ${settings.runTimeoutSeconds} s timeout (BR-DS-05); the job resumes from its last checkpoint` : 'The worker stopped; the job resumes from its last checkpoint',
      });
      await this.store.release(job.id, leaseToken);
      syncFailures.inc({ reason: interruption.why });
      throw new RunLaterError(`Resuming after ${interruption.why}`);
    } finally {
      clearTimeout(deadline);
      clearInterval(heartbeat);
      this.running.delete(job.id);
      syncJobsRunning.dec();
    }
  }

  /** Runs the job to its end and says how it ended; throws RunInterrupted to stop without ending it. */
  private async outcomeOf(job: ClaimedJob, leaseToken: string, signal: AbortSignal): Promise<{ outcome: RunOutcome; markUnseenDeletedIn: SyncResource[] }> {
    const none: SyncResource[] = [];
    if (job.cancelRequested) return { outcome: { kind: 'cancelled' }, markUnseenDeletedIn: none };
    if (job.runs > this.config.dataSync.maxRuns) {
      return { outcome: { kind: 'failed', reason: `The job did not finish in ${this.config.dataSync.maxRuns} runs` }, markUnseenDeletedIn: none };
    }
    if (job.runs > 1) await this.store.log(job.id, job.tenantId, { level: 'Information', message: `Run ${job.runs} resumes from the last checkpoint` });
    const integration = await this.em.fork().findOne(Integration, { id: job.integrationId, tenantId: job.tenantId });
    if (!integration) return { outcome: { kind: 'failed', reason: 'The integration is gone; syncs need an Active integration' }, markUnseenDeletedIn: none };
    // Disabled or deactivated after the job was queued (or between two runs of it): the source is not asked.
    const refused = whyUnusable(integration, 'at-start');
    if (refused) return { outcome: { kind: 'failed', reason: refused }, markUnseenDeletedIn: none };
    let connector: SyncConnector;
    try {
      connector = this.connectors.create({ integrationId: integration.id, provider: integration.provider, configuration: integration.configuration(this.vault) }, signal);
    } catch (error) {
      if (error instanceof ConnectorConfigurationError) return { outcome: { kind: 'failed', reason: error.message }, markUnseenDeletedIn: none };
      throw error;
    }
    try {
      let checkpoint: SyncCheckpoint | null = job.checkpoint ?? { ...INITIAL_CHECKPOINT };
      const imports = job.direction !== 'Export';
      if (imports && !checkpoint.exporting) checkpoint = await this.importAll(job, leaseToken, connector, checkpoint, signal);
      if (checkpoint && job.direction !== 'Import') checkpoint = await this.exportAll(job, leaseToken, connector, checkpoint, signal);
      if (!checkpoint) return { outcome: { kind: 'cancelled' }, markUnseenDeletedIn: none };
      return { outcome: { kind: 'finished' }, markUnseenDeletedIn: imports && job.syncType === 'Full' ? connector.resources : none };
    } catch (error) {
      if (error instanceof IntegrationWithdrawn) {
        syncFailures.inc({ reason: 'integration_withdrawn' });
        return { outcome: { kind: 'failed', reason: error.message }, markUnseenDeletedIn: none };
      }
      if (!(error instanceof ConnectorError)) throw error;
      syncFailures.inc({ reason: `source_${error.failure}` });
      if (error.failure === 'authentication') await this.suspendIntegration(job, error.message);
      return { outcome: { kind: 'failed', reason: error.message }, markUnseenDeletedIn: none };
    }
  }

  /** Every resource from the checkpoint on; the last checkpoint, or null when a cancellation stopped it. */
  private async importAll(job: ClaimedJob, leaseToken: string, connector: SyncConnector, from: SyncCheckpoint, signal: AbortSignal): Promise<SyncCheckpoint | null> {
    const settings = this.config.dataSync;
    let checkpoint = from;
    while (checkpoint.resourceIndex < connector.resources.length) {
      const resource = connector.resources[checkpoint.resourceIndex];
      const atResourceStart = checkpoint.cursor === null && !checkpoint.skip;
      if (atResourceStart && job.syncType === 'Incremental') checkpoint = { ...checkpoint, since: await this.watermark(job.integrationId, resource.entity) };
      let started = performance.now();
      const read = await this.readBatch(connector, resource, checkpoint, signal);
      for (const batch of cutIntoBatches(read.pages, settings.batchSize)) {
        const { records, failures, duplicates } = prepare(batch.records, resource.entity);
        const readUpTo = { ...checkpoint.readUpTo, ...newestOf(records, resource.entity, checkpoint.readUpTo?.[resource.entity]) };
        const next: SyncCheckpoint = batch.resumeAt
          ? { ...resumingAt(checkpoint, batch.resumeAt.cursor, batch.resumeAt.skip), reportedTotal: read.reportedTotal, readUpTo }
          : read.finishedResource
            ? { ...resumingAt(checkpoint, null, 0), resourceIndex: checkpoint.resourceIndex + 1, since: null, reportedTotal: read.reportedTotal, readUpTo }
            : { ...resumingAt(checkpoint, read.cursor, 0), reportedTotal: read.reportedTotal, readUpTo };
        const result = await this.store.writeBatch({
          ...this.heldBy(job, leaseToken),
          entity: resource.entity,
          markSeen: job.syncType === 'Full',
          records,
          failures,
          duplicates,
          checkpoint: next,
        });
        checkpoint = next;
        syncBatchDuration.observe((performance.now() - started) / 1000);
        started = performance.now();
        syncRecords.inc({ outcome: 'created' }, result.created);
        syncRecords.inc({ outcome: 'updated' }, result.updated);
        syncRecords.inc({ outcome: 'unchanged' }, result.unchanged);
        if (result.failed) {
          syncRecords.inc({ outcome: 'failed' }, result.failed);
          syncFailures.inc({ reason: 'invalid_record' }, result.failed);
        }
        if (await this.stopsAfter(job, result, signal)) return null;
      }
    }
    return checkpoint;
  }

  /**
   * Export (and the second half of Bidirectional): pushes the records changed here since their last export, in
   * batches in (local_modified_at, entity, external id) order, through the connector. Each batch's accepted
   * records are marked exported with the counters and the checkpoint (the last key sent) in one transaction, so a
   * resumed run goes on after it; a record the external system refuses is logged and counted as failed.
   */
  private async exportAll(job: ClaimedJob, leaseToken: string, connector: SyncConnector, from: SyncCheckpoint, signal: AbortSignal): Promise<SyncCheckpoint | null> {
    const settings = this.config.dataSync;
    const batchSize = Math.min(settings.batchSize, settings.defaultPageSize);
    const resources = new Map(connector.resources.map((resource) => [resource.entity, resource]));
    let checkpoint: SyncCheckpoint = from.exporting ? from : { ...from, exporting: true, exportAfter: null };
    for (;;) {
      const records = await this.store.exportable(job.integrationId, [...resources.keys()], checkpoint.exportAfter, batchSize);
      if (!records.length) return checkpoint;
      const started = performance.now();
      const exported: ExportedKey[] = [];
      const failures: SyncLogLine[] = [];
      for (const [entity, group] of groupBy(records, (record) => record.entity)) {
        const outcomes = await untilAborted(connector.writeRecords(resources.get(entity)!, group.map((r) => ({ externalId: r.externalId, data: r.data }))), signal);
        outcomes.forEach((outcome, index) => {
          if (outcome.ok) exported.push(group[index]);
          else failures.push({ level: 'Error', message: `The external system refused the record: ${outcome.reason}`, entity, externalId: outcome.externalId });
        });
      }
      const last = records[records.length - 1];
      checkpoint = { ...checkpoint, exportAfter: { modifiedAt: last.modifiedAt, entity: last.entity, externalId: last.externalId } };
      const result = await this.store.writeBatch({
        ...this.heldBy(job, leaseToken),
        entity: last.entity,
        markSeen: false,
        records: [],
        failures,
        duplicates: 0,
        checkpoint,
        exported,
      });
      syncBatchDuration.observe((performance.now() - started) / 1000);
      syncRecords.inc({ outcome: 'exported' }, exported.length);
      if (failures.length) {
        syncRecords.inc({ outcome: 'failed' }, failures.length);
        syncFailures.inc({ reason: 'refused_by_target' }, failures.length);
      }
      if (await this.stopsAfter(job, result, signal)) return null;
    }
  }

  /** What every stored batch names: the job, and the lease under which this run holds it. */
  private heldBy(job: ClaimedJob, leaseToken: string): Pick<BatchWrite, 'jobId' | 'tenantId' | 'integrationId' | 'leaseToken' | 'leaseMs'> {
    return { jobId: job.id, tenantId: job.tenantId, integrationId: job.integrationId, leaseToken, leaseMs: this.config.dataSync.leaseMs };
  }

  /**
   * After a stored batch: publishes the progress, then true when the job was cancelled meanwhile (the run ends
   * there); throws the interruption when the run was stopped (timeout, shutdown, lease lost), and
   * IntegrationWithdrawn when the integration may no longer be synced (the job fails).
   */
  private async stopsAfter(job: ClaimedJob, result: JobProgressRow, signal: AbortSignal): Promise<boolean> {
    await this.publishProgress(job.id, result);
    if (result.cancelRequested) return true;
    if (signal.aborted) throw signal.reason as Error;
    const integration = await this.store.integrationState(job.integrationId);
    const withdrawn = integration ? whyUnusable(integration, 'during') : 'The integration is gone';
    if (withdrawn) throw new IntegrationWithdrawn(withdrawn);
    return false;
  }

  /**
   * Pages from the checkpoint until the batch is full or the resource ends (the page size is constant so page
   * numbers hold). A page can be bigger than asked (page-numbered and linked resources ask their own `pageSize`,
   * and a source may ignore the limit), so the next page is taken as big as the biggest seen: reading stops
   * before a page that could take the batch past DATA_SYNC_BATCH_SIZE. What one page alone brings past it is cut
   * into several batches by `cutIntoBatches` (BR-DS-03). The checkpoint's `skip` drops the records of its page
   * that an earlier batch stored.
   */
  private async readBatch(connector: SyncConnector, resource: SyncResource, checkpoint: SyncCheckpoint, signal: AbortSignal) {
    const settings = this.config.dataSync;
    const pageSize = Math.min(settings.defaultPageSize, settings.batchSize);
    const since = checkpoint.since ? new Date(checkpoint.since) : null;
    const pages: ReadPage[] = [];
    let cursor = checkpoint.cursor;
    let skip = checkpoint.skip ?? 0;
    let reportedTotal = checkpoint.reportedTotal;
    let collected = 0;
    let biggestPage = pageSize;
    for (;;) {
      const page = await this.readPage(connector, { resource, cursor, limit: pageSize, updatedSince: since }, signal);
      // A page read again for its remaining records announced its total the first time.
      if (cursor === null && skip === 0 && page.reportedTotal !== null) reportedTotal += page.reportedTotal;
      pages.push({ cursor, skipped: skip, records: skip ? page.records.slice(skip) : page.records });
      collected += page.records.length - skip;
      biggestPage = Math.max(biggestPage, page.records.length);
      skip = 0;
      cursor = page.nextCursor;
      if (cursor === null) return { pages, cursor, reportedTotal, finishedResource: true };
      if (collected + biggestPage > settings.batchSize) return { pages, cursor, reportedTotal, finishedResource: false };
    }
  }

  /** §11.4 "retry with reduced size": a page that keeps failing is asked again smaller before the job gives up. */
  private async readPage(connector: SyncConnector, request: Parameters<SyncConnector['readPage']>[0], signal: AbortSignal): Promise<SourcePage> {
    for (let shrink = 0; ; shrink++) {
      try {
        return await untilAborted(connector.readPage({ ...request, limit: Math.max(1, Math.floor(request.limit / 2 ** shrink)) }), signal);
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.failure !== 'unavailable' || shrink >= PAGE_SHRINKS) throw error;
        this.logger.warn(`Reading ${request.resource.entity} failed (${error.message}); trying a smaller page`);
      }
    }
  }

  /** What live watchers of a running job see after each batch (SSE through Redis). */
  private publishProgress(jobId: string, counts: JobProgressRow): Promise<void> {
    return this.progress.publish({
      jobId,
      status: 'Running',
      recordsTotal: counts.recordsTotal,
      recordsProcessed: counts.recordsProcessed,
      recordsFailed: counts.recordsFailed,
      startedAt: iso(counts.startedAt),
      completedAt: null,
    });
  }

  /**
   * Where an Incremental sync starts reading (inclusive): the latest of what each job that read to its end vouches
   * for, which is the earlier of the newest record it stored (readUpTo) and its start less SOURCE_CLOCK_SKEW_SECONDS.
   * - Not the newest record stored: a job cancelled or failed midway may have stored a newer record before older
   *   ones it never reached, and reading from there would skip those for good.
   * - Not readUpTo alone: a source that pages by id (not by modification time) may hand a job, late in its run, a
   *   record changed after the job started, while a record changed meanwhile on a page the job had already passed
   *   (with an older modification time than that one) is never read; starting after the newest record would skip
   *   it for good too. A job vouches only for changes made before it started; the margin covers a source clock
   *   behind ours (a change made just after the start, stamped earlier by it), up to SOURCE_CLOCK_SKEW_SECONDS.
   * Re-reading the records changed since then is harmless: the import upserts by (integration, entity, external
   * id), keeps the newer version (BR-DS-07) and counts a record whose content did not change as unchanged.
   * A job that read no record of the entity vouches for nothing. None: everything is read.
   */
  private async watermark(integrationId: string, entity: string): Promise<string | null> {
    const [row] = await this.em.getConnection().execute<Array<{ since: Date | null }>>(
      `SELECT max(LEAST(read_up_to, started_at - make_interval(secs => ?))) AS since
         FROM (SELECT (checkpoint->'readUpTo'->>?)::timestamptz AS read_up_to, started_at FROM data_sync_job
                WHERE integration_id = ? AND status IN ('Completed', 'PartialSuccess')) finished
        WHERE read_up_to IS NOT NULL AND started_at IS NOT NULL`,
      [SOURCE_CLOCK_SKEW_SECONDS, entity, integrationId],
    );
    return iso(row?.since);
  }

  private async finish(job: ClaimedJob, leaseToken: string, outcome: RunOutcome, markUnseenDeletedIn: SyncResource[]): Promise<void> {
    const finished = await this.commands.execute(new FinishDataSyncRunCommand(systemActor(job.tenantId), job.id, leaseToken, outcome, markUnseenDeletedIn));
    if (!finished) return;
    syncJobsFinished.inc({ status: finished.status, sync_type: finished.syncType });
    if (finished.recordsDeleted) syncRecords.inc({ outcome: 'deleted' }, finished.recordsDeleted);
    await this.progress.publish({
      jobId: finished.id,
      status: finished.status,
      recordsTotal: finished.recordsTotal,
      recordsProcessed: finished.recordsProcessed,
      recordsFailed: finished.recordsFailed,
      startedAt: finished.startedAt?.toISOString() ?? null,
      completedAt: finished.completedAt?.toISOString() ?? null,
    });
  }

  /** §11.4: refused credentials suspend the integration (IntegrationSuspended alerts) until an admin fixes them. */
  private async suspendIntegration(job: ClaimedJob, message: string): Promise<void> {
    try {
      await this.commands.execute(
        new RecordIntegrationCheckCommand(job.tenantId, job.integrationId, { purpose: 'observed' }, { ok: false, failure: 'authentication', message, responseTimeMs: 0 }, null, job.id),
      );
    } catch (error) {
      this.logger.warn(`Suspending integration ${job.integrationId}: ${(error as Error).message}`);
    }
  }
}

/**
 * Why a run may not use the integration (syncBlocker), as the job's failure reason, or null when it may: as found
 * when the run starts, or as changed while the job ran.
 */
function whyUnusable(integration: IntegrationSyncState, when: 'at-start' | 'during'): string | null {
  const blocker = syncBlocker(integration);
  if (!blocker) return null;
  if (when === 'at-start') {
    return blocker === 'disabled' ? 'The integration is disabled; syncs need an enabled integration' : `The integration is ${integration.status}; syncs need an Active integration`;
  }
  if (blocker === 'disabled') return 'The integration was disabled during the sync';
  const became: Record<string, string> = { Disconnected: 'disconnected', Suspended: 'suspended' };
  return became[integration.status]
    ? `The integration was ${became[integration.status]} during the sync`
    : `The integration stopped being Active during the sync (it is ${integration.status} now)`;
}

/** `{ [entity]: the newest modified time among records and earlier }`, or {} when neither has one. */
function newestOf(records: StorableRecord[], entity: string, earlier: string | undefined): Record<string, string> {
  let newest = earlier ? new Date(earlier).getTime() : -Infinity;
  for (const record of records) if (record.modifiedAt) newest = Math.max(newest, record.modifiedAt.getTime());
  return Number.isFinite(newest) ? { [entity]: new Date(newest).toISOString() } : {};
}

/** A page as read: the cursor that asked for it, and its records after the `skipped` an earlier batch stored. */
interface ReadPage {
  cursor: string | null;
  skipped: number;
  records: SourceRecord[];
}

/** One batch to store, and where a run resumes after it: null when after everything read. */
export interface SourceBatch {
  records: SourceRecord[];
  resumeAt: { cursor: string | null; skip: number } | null;
}

/**
 * The pages read, as batches of at most `batchSize` records (BR-DS-03): one batch unless a page alone brought
 * the read past the limit (a source that ignores the limit asked for). A batch that ends inside a page resumes
 * at that page's cursor, skipping the records already stored, so a resumed run neither misses nor counts any twice
 * as long as the source answers the same page again with the same records.
 */
export function cutIntoBatches(pages: readonly ReadPage[], batchSize: number): SourceBatch[] {
  const batches: SourceBatch[] = [];
  let records: SourceRecord[] = [];
  for (const page of pages) {
    page.records.forEach((record, index) => {
      if (records.length === batchSize) {
        batches.push({ records, resumeAt: { cursor: page.cursor, skip: page.skipped + index } });
        records = [];
      }
      records.push(record);
    });
  }
  batches.push({ records, resumeAt: null });
  return batches;
}

/** The checkpoint at `cursor`, with `skip` records of that page already stored (kept only when there are some). */
function resumingAt(checkpoint: SyncCheckpoint, cursor: string | null, skip: number): SyncCheckpoint {
  const { skip: _stored, ...rest } = checkpoint;
  return skip ? { ...rest, cursor, skip } : { ...rest, cursor };
}

/**
 * The batch's valid records, one per external id (BR-DS-06: the newest version wins, the others count as
 * unchanged duplicates), and a log line for each record that cannot be imported.
 */
export function prepare(batch: readonly SourceRecord[], entity: string): { records: StorableRecord[]; failures: SyncLogLine[]; duplicates: number } {
  const byId = new Map<string, StorableRecord>();
  const failures: SyncLogLine[] = [];
  let duplicates = 0;
  for (const record of batch) {
    if (!record.ok) {
      failures.push({ level: 'Error', message: record.reason, entity, externalId: record.externalId });
      continue;
    }
    const seen = byId.get(record.externalId);
    if (seen) {
      duplicates++;
      if (seen.modifiedAt && record.modifiedAt && record.modifiedAt < seen.modifiedAt) continue;
    }
    byId.set(record.externalId, { externalId: record.externalId, modifiedAt: record.modifiedAt, json: record.json });
  }
  return { records: [...byId.values()], failures, duplicates };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The promise, or the signal's reason as soon as it is aborted (an HTTP call in flight is abandoned, not awaited). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
