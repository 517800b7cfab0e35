import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandBus } from '@nestjs/cqrs';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../common/crypto/secret-vault';
import { MAINTENANCE_QUEUE } from '../../../common/queues/queues';
import { ScheduleKeeper } from '../../../common/queues/schedule-keeper';
import { loggableError } from '../../../common/database/statement-failure';
import { RecordIntegrationCheckCommand } from '../commands/record-integration-check/record-integration-check.command';
import { Integration } from '../domain/integration.entity';
import type { ProbeOutcome } from '../domain/integration-types';
import { IntegrationProber } from '../infrastructure/integration-prober';
import { NIL_UUID } from '../../../common/database/keyset';

export const INTEGRATION_HEALTH_QUEUE = 'integration-health';
export const INTEGRATION_HEALTH_SWEEP_JOB = 'integration-health-sweep';
const CHECK_JOB = 'check';
/** Integrations read and enqueued per step of the sweep. */
const SWEEP_PAGE = 1000;

/** The job that health-checks one integration. */
export interface IntegrationHealthCheckJob {
  integrationId: string;
  tenantId: string;
}

/**
 * UC-IM-04 / BR-IM-03. Every INTEGRATIONS_HEALTH_CHECK_CRON (5 minutes) one worker walks the active, enabled
 * integrations and enqueues one job each; every worker takes them with at most
 * INTEGRATIONS_HEALTH_CHECK_CONCURRENCY provider calls at a time, so a sweep spreads over the workers there are.
 * A check's job id is its integration's id, so a sweep that finds an integration's check still queued or running
 * (checks backed up behind slow providers) does not queue another: two checks of one run of failures seconds
 * apart would count as two of BR-IM-04's consecutive failures. Finished checks leave the queue, failed ones too
 * (after a warning), so the next sweep can queue the integration again.
 */
@Processor(MAINTENANCE_QUEUE)
@Injectable()
export class IntegrationHealthProcessor implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(IntegrationHealthProcessor.name);

  constructor(
    private readonly em: EntityManager,
    private readonly commands: CommandBus,
    private readonly prober: IntegrationProber,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    private readonly schedules: ScheduleKeeper,
    @InjectQueue(INTEGRATION_HEALTH_QUEUE) private readonly checks: Queue<IntegrationHealthCheckJob>,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Registered by hand rather than with @Process: the concurrency comes from configuration. */
  onModuleInit(): void {
    void this.checks.process(CHECK_JOB, this.config.integrations.healthCheckConcurrency, (job: Job<IntegrationHealthCheckJob>) =>
      // The job id is the integration's; its creation time tells one check from the next in the logs.
      this.check(job.data, `${job.id}:${job.timestamp}`),
    );
    // A check that failed (timed out, or could not record its outcome) leaves the queue, or its id would keep the
    // integration from ever being queued again; this line is what remains of it.
    this.checks.on('failed', (job: Job<IntegrationHealthCheckJob>, error: Error) => {
      this.logger.warn({ integrationId: job.data.integrationId, error: (loggableError(error) as Error).message }, 'A health check failed before recording its outcome');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep(this.maintenance, INTEGRATION_HEALTH_SWEEP_JOB, this.config.integrations.healthCheckCron);
  }

  /**
   * Enqueues a check of every active, enabled integration that has none queued yet; returns how many were due (Bull
   * does not say which of them it skipped as still queued).
   */
  @Process(INTEGRATION_HEALTH_SWEEP_JOB)
  async sweep(): Promise<number> {
    const timeoutMs = this.config.integrations.callTimeoutMs * 4;
    let afterId = NIL_UUID;
    let total = 0;
    for (;;) {
      const page: Array<{ id: string; tenant_id: string }> = await this.em.getConnection().execute(
        `SELECT id, tenant_id FROM integration WHERE status = 'Active' AND is_enabled AND id > ? ORDER BY id LIMIT ${SWEEP_PAGE}`,
        [afterId],
      );
      if (page.length === 0) break;
      await this.checks.addBulk(
        page.map((row) => ({
          name: CHECK_JOB,
          data: { integrationId: row.id, tenantId: row.tenant_id },
          // A failed check is recorded as such, never retried: the next sweep is the next attempt.
          opts: { jobId: row.id, attempts: 1, timeout: timeoutMs, removeOnComplete: true, removeOnFail: true },
        })),
      );
      total += page.length;
      afterId = page[page.length - 1].id;
    }
    if (total) this.logger.log(`Health sweep: ${total} integration(s) due, each queued unless its last check still is`);
    return total;
  }

  /** One health check: read outside any transaction, call the provider, then record the result. */
  async check({ integrationId, tenantId }: IntegrationHealthCheckJob, requestId: string): Promise<void> {
    const integration = await this.em.fork().findOne(Integration, { id: integrationId, tenantId });
    if (!integration || integration.status !== 'Active' || !integration.isEnabled) return;
    let outcome: ProbeOutcome;
    try {
      const configuration = integration.configuration(this.vault);
      outcome = await this.prober.probe({ id: integration.id, tenantId, integrationType: integration.integrationType, provider: integration.provider, configuration }, 'health');
    } catch (error) {
      // The configuration cannot be opened (a key left the ring): no retry helps, so Error and a review.
      this.logger.error({ integrationId, error: (error as Error).message }, 'Cannot open the configuration of an integration');
      outcome = { ok: false, failure: 'configuration', message: 'The configuration cannot be decrypted with the keys in ENCRYPTION_KEYS', responseTimeMs: 0 };
    }
    await this.commands.execute(new RecordIntegrationCheckCommand(tenantId, integrationId, integration.startHealthCheck(), outcome, null, `health-check:${requestId}`));
  }
}
