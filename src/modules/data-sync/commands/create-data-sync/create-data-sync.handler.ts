import { Inject } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { afterCommit, inUnitOfWork } from '../../../../common/cqrs/command-pipeline';
import { contextOrFork } from '../../../../common/database/context-or-fork';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { Integration } from '../../../integrations/domain/integration.entity';
import { IntegrationProber } from '../../../integrations/infrastructure/integration-prober';
import { ConnectorFactory } from '../../connectors/connector-factory';
import { DataSyncJob } from '../../domain/data-sync-job.entity';
import { DataSyncError, DataSyncErrorCode } from '../../domain/data-sync.errors';
import { IntegrationSyncState, nextAllowedAt, runsAt, RUNS_AT_SQL, syncBlocker } from '../../domain/sync-rules';
import { DATA_SYNC_QUEUE, DataSyncRunJob, enqueueRun } from '../../infrastructure/data-sync-queue';
import { CreateDataSyncCommand } from './create-data-sync.command';

const DAY_MS = 24 * 3600 * 1000;
/** How far ahead a sync may be scheduled. */
const MAX_SCHEDULED_AHEAD_DAYS = 366;

/**
 * UC-DS-01: the integration must be the tenant's, Active (§7.4) and enabled, configured for syncing, and its
 * credentials accepted by the provider now (step 2); `scheduledAt` at most 30 days in the past; a Full sync at
 * most once a day and an Incremental once an hour per integration (BR-DS-01/02: 409 with the next allowed time),
 * counted between the times the jobs run (runsAt: a job scheduled in the past runs when it is created, and
 * counts then). The command runs without the unit of work: asking the provider may take about twice its call
 * timeout, and a transaction open meanwhile would hold one of the pool's connections, so that a few slow
 * providers could starve every other request. The frequency rules are checked before the call (a sync they
 * refuse costs no call: a burst of provider callbacks asks the provider nothing) and again, under the
 * integration row lock so that two concurrent requests cannot both pass, in the short transaction that finds
 * the integration still Active and enabled and stores the job with its DataSyncInitiated event. The run is
 * queued once that has committed.
 * A request with an idempotency key the tenant used before answers with that job, before any check (the job
 * exists, whatever changed since), and again under the lock, for a concurrent request with the same key.
 */
@CommandHandler(CreateDataSyncCommand)
export class CreateDataSyncHandler implements ICommandHandler<CreateDataSyncCommand> {
  constructor(
    private readonly em: EntityManager,
    private readonly prober: IntegrationProber,
    private readonly connectors: ConnectorFactory,
    @InjectQueue(DATA_SYNC_QUEUE) private readonly queue: Queue<DataSyncRunJob>,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ actor, integrationId, syncType, direction, scheduledAt, idempotencyKey }: CreateDataSyncCommand): Promise<DataSyncJob> {
    const em = contextOrFork(this.em);
    const earlier = await this.jobStartedWith(em, actor.tenantId, idempotencyKey);
    if (earlier) return earlier;
    const settings = this.config.dataSync;
    if (Date.now() - scheduledAt.getTime() > settings.maxScheduledPastDays * DAY_MS) {
      throw DataSyncError.onField(DataSyncErrorCode.ScheduledTooLongAgo, 'scheduledAt', `must not be more than ${settings.maxScheduledPastDays} days in the past`);
    }
    // A year ahead is as far as a one-off sync is planned; the frequency rules' windows around a time near year 9999
    // would leave the range PostgreSQL stores.
    if (scheduledAt.getTime() - Date.now() > MAX_SCHEDULED_AHEAD_DAYS * DAY_MS) {
      throw DataSyncError.onField(DataSyncErrorCode.ScheduledTooFarAhead, 'scheduledAt', `must not be more than ${MAX_SCHEDULED_AHEAD_DAYS} days ahead`);
    }
    const integration = await em.findOne(Integration, { id: integrationId, tenantId: actor.tenantId });
    if (!integration) throw DataSyncError.onField(DataSyncErrorCode.IntegrationNotFound, 'integrationId', 'no such integration');
    assertSyncable(integration);
    const configuration = integration.configuration(this.vault);
    this.connectors.createForRequest({ integrationId, provider: integration.provider, configuration });
    await this.assertFrequency(em, integrationId, syncType, runsAt(scheduledAt, new Date()));
    if (settings.validateCredentialsOnCreate) {
      const outcome = await this.prober.probe({ id: integration.id, tenantId: integration.tenantId, integrationType: integration.integrationType, provider: integration.provider, configuration }, 'health');
      if (!outcome.ok) throw DataSyncError.onField(DataSyncErrorCode.CredentialsRefused, 'integrationId', `the provider did not accept the integration's credentials: ${outcome.message}`);
    }

    const stored = await inUnitOfWork(this.em, actor, async (tx) => {
      const [locked] = await tx.execute<Array<{ status: string; is_enabled: boolean }>>('SELECT status, is_enabled FROM integration WHERE id = ? FOR UPDATE', [integrationId]);
      // A concurrent request with the same key may have committed its job while this one probed; the lock orders them.
      const concurrent = await this.jobStartedWith(tx, actor.tenantId, idempotencyKey);
      if (concurrent) return { job: concurrent, created: false };
      // It may have been deactivated or disabled (or its credentials refused by a health check) while the provider was asked.
      assertSyncable({ status: locked.status, isEnabled: locked.is_enabled });
      const now = new Date();
      await this.assertFrequency(tx, integrationId, syncType, runsAt(scheduledAt, now));
      const created = DataSyncJob.initiate({ tenantId: actor.tenantId, integrationId, syncType, direction, scheduledAt, createdBy: actor.apiKeyId, idempotencyKey }, now);
      tx.persist(created);
      return { job: created, created: true };
    });
    if (!stored.created) return stored.job;
    const { job } = stored;
    // A lost enqueue is not lost work: the scheduler starts due jobs from PostgreSQL.
    await afterCommit(() => enqueueRun(this.queue, job.id, scheduledAt).catch(() => undefined));
    return job;
  }

  private async jobStartedWith(em: EntityManager, tenantId: string, idempotencyKey: string | undefined): Promise<DataSyncJob | null> {
    return idempotencyKey === undefined ? null : em.findOne(DataSyncJob, { tenantId, idempotencyKey });
  }

  private async assertFrequency(em: EntityManager, integrationId: string, syncType: CreateDataSyncCommand['syncType'], runningAt: Date): Promise<void> {
    const windows = { Full: this.config.dataSync.fullMinIntervalSeconds * 1000, Incremental: this.config.dataSync.incrementalMinIntervalSeconds * 1000 };
    const windowMs = windows[syncType as keyof typeof windows];
    if (!windowMs) return;
    // A cancelled sync counts once it stored a batch: otherwise cancelling each run after its first 10,000 records
    // would sync as often as one likes. One cancelled before it stored anything did not sync, and a failed one may
    // be retried at once (the source's fault, not the caller's choice). The bound on scheduled_at alone (implied by
    // the other, as a job never runs before its scheduled time) lets the index serve.
    const others = await em.execute<Array<{ runs_at: Date | string }>>(
      `SELECT ${RUNS_AT_SQL} AS runs_at FROM data_sync_job
        WHERE integration_id = ? AND sync_type = ? AND (status NOT IN ('Failed', 'Cancelled') OR (status = 'Cancelled' AND records_processed > 0))
          AND scheduled_at < ? AND ${RUNS_AT_SQL} > ? AND ${RUNS_AT_SQL} < ?`,
      [integrationId, syncType, new Date(runningAt.getTime() + windowMs), new Date(runningAt.getTime() - windowMs), new Date(runningAt.getTime() + windowMs)],
    );
    const allowedAt = nextAllowedAt(syncType, runningAt, others.map((row) => new Date(row.runs_at)), windows);
    if (allowedAt) {
      const rule = syncType === 'Full' ? 'a Full sync at most once a day (BR-DS-01)' : 'an Incremental sync at most once an hour (BR-DS-02)';
      throw new DataSyncError(DataSyncErrorCode.TooFrequent, `An integration may have ${rule}; the next is allowed at ${allowedAt.toISOString()}`, {
        nextAllowedAt: allowedAt.toISOString(),
      });
    }
  }
}

function assertSyncable(integration: IntegrationSyncState): void {
  const blocker = syncBlocker(integration);
  if (blocker === 'not-active') {
    throw DataSyncError.onField(DataSyncErrorCode.IntegrationNotActive, 'integrationId', `the integration is ${integration.status}; only an Active integration can be synced`, {
      integrationStatus: integration.status,
    });
  }
  if (blocker === 'disabled') {
    throw DataSyncError.onField(DataSyncErrorCode.IntegrationDisabled, 'integrationId', 'the integration is disabled; only an enabled integration can be synced', { integrationEnabled: false });
  }
}
