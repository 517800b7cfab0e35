import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { MAINTENANCE_QUEUE, ensureRepeatableJob } from '../../../common/queues/queues';
import { DATA_SYNC_QUEUE, DataSyncRunJob, enqueueRun } from '../infrastructure/data-sync-queue';

export const DATA_SYNC_SCHEDULER_JOB = 'data-sync-scheduler';
const SCHEDULER_BATCH = 5000;

/**
 * §14.1's Data Sync Scheduler (every 15 minutes, one run across replicas as a Bull repeatable job): queues
 * every job whose time has come, and every running job whose worker's lease lapsed (a crashed worker), to be
 * resumed from its checkpoint. Queueing is idempotent (the Bull job id is the sync job's) and the claim in
 * PostgreSQL decides who runs. The clean-up of old sync logs is a retention rule
 * declared in data-sync.worker-module.ts.
 */
@Processor(MAINTENANCE_QUEUE)
export class DataSyncMaintenanceProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(DataSyncMaintenanceProcessor.name);

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    @InjectQueue(DATA_SYNC_QUEUE) private readonly runs: Queue<DataSyncRunJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureRepeatableJob(this.maintenance, DATA_SYNC_SCHEDULER_JOB, this.config.dataSync.schedulerCron);
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
    return due.length;
  }

}
