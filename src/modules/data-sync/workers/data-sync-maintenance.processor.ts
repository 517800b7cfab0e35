import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { systemActor } from '../../../common/cqrs/actor';
import { loggableError } from '../../../common/database/statement-failure';
import { SECRET_VAULT, SecretVault } from '../../../common/crypto/secret-vault';
import { MAINTENANCE_QUEUE } from '../../../common/queues/queues';
import { ScheduleKeeper } from '../../../common/queues/schedule-keeper';
import { Integration } from '../../integrations/domain/integration.entity';
import { CreateDataSyncCommand } from '../commands/create-data-sync/create-data-sync.command';
import { DataSyncError } from '../domain/data-sync.errors';
import { readSyncSchedule } from '../domain/sync-schedule';
import { DATA_SYNC_QUEUE, DataSyncRunJob, enqueueRun } from '../infrastructure/data-sync-queue';

export const DATA_SYNC_SCHEDULER_JOB = 'data-sync-scheduler';
const SCHEDULER_BATCH = 5000;

/**
 * §14.1's Data Sync Scheduler (every 15 minutes, one run across replicas as a Bull repeatable job): queues
 * every job whose time has come, and every running job whose worker's lease lapsed (a crashed worker), to be
 * resumed from its checkpoint; and starts the recurring syncs integrations ask for. Queueing is idempotent (the Bull job id is the sync job's) and the claim in
 * PostgreSQL decides who runs. The clean-up of old sync logs is a retention rule
 * declared in data-sync.worker-module.ts.
 */
@Processor(MAINTENANCE_QUEUE)
export class DataSyncMaintenanceProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(DataSyncMaintenanceProcessor.name);

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    private readonly schedules: ScheduleKeeper,
    @InjectQueue(DATA_SYNC_QUEUE) private readonly runs: Queue<DataSyncRunJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    private readonly commands: CommandBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep(this.maintenance, DATA_SYNC_SCHEDULER_JOB, this.config.dataSync.schedulerCron);
  }

  @Process(DATA_SYNC_SCHEDULER_JOB)
  async startDueJobs(): Promise<number> {
    const due = await this.em.getConnection().execute<Array<{ id: string }>>(
      `SELECT id FROM data_sync_job
        WHERE (status = 'Scheduled' AND scheduled_at <= now()) OR (status = 'Running' AND lease_expires_at < now())
        ORDER BY scheduled_at LIMIT ${SCHEDULER_BATCH}`,
    );
    for (const { id } of due) await enqueueRun(this.runs, id);
    if (due.length) this.logger.log(`Queued ${due.length} due or stalled data sync job(s)`);
    const started = await this.startRecurringSyncs();
    return due.length + started;
  }

  /**
   * Integrations whose configuration carries a `sync.schedule` get a new sync when the last one of that type
   * began at least `everyMinutes` ago. Runs in the one scheduler job, so replicas never start it twice. Each
   * integration is on its own: one whose schedule or start fails is logged and the others still get theirs.
   */
  async startRecurringSyncs(now = new Date()): Promise<number> {
    const integrations = await this.em.fork().find(Integration, { status: 'Active', isEnabled: true });
    let started = 0;
    for (const integration of integrations) {
      try {
        if (await this.startRecurringSync(integration, now)) started++;
      } catch (error) {
        this.logger.warn({ integrationId: integration.id, error: (loggableError(error) as Error).message }, 'Recurring sync not started');
      }
    }
    if (started) this.logger.log(`Started ${started} recurring data sync(s)`);
    return started;
  }

  /** Starts the integration's recurring sync when one is due; says whether it did. */
  private async startRecurringSync(integration: Integration, now: Date): Promise<boolean> {
    const { schedule, problem } = readSyncSchedule(integration.configuration(this.vault));
    if (problem) this.logger.warn({ integrationId: integration.id }, `Recurring sync skipped: ${problem}`);
    if (!schedule) return false;
    const [{ last }] = await this.em.getConnection().execute<Array<{ last: Date | null }>>(
      'SELECT max(created_at) AS last FROM data_sync_job WHERE integration_id = ? AND sync_type = ?',
      [integration.id, schedule.syncType],
    );
    if (last && now.getTime() - new Date(last).getTime() < schedule.everyMinutes * 60_000) return false;
    try {
      await this.commands.execute(
        new CreateDataSyncCommand(systemActor(integration.tenantId, ['datasync:manage']), integration.id, schedule.syncType, schedule.direction, now),
      );
      return true;
    } catch (error) {
      if (!(error instanceof DataSyncError)) throw error;
      this.logger.log({ integrationId: integration.id }, `Recurring ${schedule.syncType} sync not started: ${error.message}`);
      return false;
    }
  }

}
