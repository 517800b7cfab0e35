import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { Integration } from '../../domain/integration.entity';
import { IntegrationError } from '../../domain/integration.errors';
import { IntegrationLog, NewIntegrationLog } from '../../domain/integration-log.entity';
import type { HealthStatus, IntegrationStatus } from '../../domain/integration-types';
import { healthAlerts, healthChecks, healthStatusValue, integrationHealthStatus } from '../../infrastructure/integration-metrics';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { IntegrationSettingsReader } from '../../infrastructure/integration-settings.reader';
import { RecordedCheck, RecordIntegrationCheckCommand } from './record-integration-check.command';

@CommandHandler(RecordIntegrationCheckCommand)
export class RecordIntegrationCheckHandler implements ICommandHandler<RecordIntegrationCheckCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    private readonly settings: IntegrationSettingsReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(command: RecordIntegrationCheckCommand): Promise<RecordedCheck> {
    const { tenantId, integrationId, check, actorApiKeyId } = command;
    const { purpose } = check;
    let { outcome } = command;
    // A validation may activate under the tenant's BR-IM-01 rules: they are locked first, as a settings change
    // locks them before it marks integrations.
    if (purpose === 'validation') await this.settings.lockRules(tenantId);
    // Locked, so that an update committing meanwhile is seen here rather than overwritten with this outcome.
    const integration = await this.integrations.getOfTenant(tenantId, integrationId, { lock: true });
    if (!integration.awaits(check)) {
      // The outcome is of a configuration the integration no longer holds, or came after an update or a
      // disconnection: it must not decide the status (BR-IM-02). Kept in the log only.
      this.integrations.getEntityManager().persist(
        IntegrationLog.write({
          tenantId,
          integrationId,
          logLevel: 'Information',
          message: `${purpose === 'health' ? 'Health check' : 'Test'} result not applied, as the integration changed while the provider was asked: ${outcome.message}`,
          requestId: command.requestId,
          details: { ...outcome.details, responseTimeMs: Math.round(outcome.responseTimeMs), purpose },
        }),
      );
      return { integration, stale: true };
    }
    const before = { status: integration.status, health: integration.healthStatus };
    let conflict: IntegrationError | undefined;
    const exclusive = purpose === 'validation' && (await this.settings.isSingleProvider(tenantId, integration.integrationType));
    if (outcome.ok && exclusive) {
      try {
        await this.integrations.assertNoOtherActive(tenantId, integration.integrationType, integration.id);
      } catch (error) {
        if (!(error instanceof IntegrationError)) throw error;
        // The credentials are fine but BR-IM-01 forbids activation: back to Draft, and the caller hears 409.
        conflict = error;
        outcome = { ...outcome, ok: false, failure: 'configuration', message: error.message };
      }
    }
    integration.recordCheck(check, outcome, this.config.integrations, exclusive, actorApiKeyId);
    const log = describe(purpose, outcome.ok, before, integration, outcome.message);
    if (log) {
      this.integrations.getEntityManager().persist(
        IntegrationLog.write({ ...log, tenantId, integrationId, requestId: command.requestId, details: { ...outcome.details, responseTimeMs: Math.round(outcome.responseTimeMs), purpose } }),
      );
    }
    if (integration.status === 'Active' && before.status !== 'Active') await this.integrations.flushActivation(integration.integrationType);
    await afterCommit(() => recordMetrics(integration, before.health, purpose, this.config.integrations.unhealthyAfterFailures));
    return { integration, conflict };
  }
}

type LogLine = Pick<NewIntegrationLog, 'logLevel' | 'message'>;

/**
 * What is worth a log row. Validations always; health checks when they fail or change the health status, so
 * 1,000 healthy integrations checked every 5 minutes do not write 288,000 rows a day (metrics count those).
 */
function describe(purpose: string, ok: boolean, before: { status: IntegrationStatus; health: HealthStatus }, after: Integration, message: string): LogLine | null {
  if (after.status !== before.status) {
    const level = after.status === 'Active' || after.status === 'Draft' ? (ok ? 'Information' : 'Warning') : 'Error';
    return { logLevel: level, message: `${purpose === 'validation' ? 'Validation' : 'Health check'}: ${message}; status ${before.status} → ${after.status}` };
  }
  if (purpose === 'validation') return { logLevel: ok ? 'Information' : 'Warning', message: `Test: ${message}` };
  if (!ok) {
    const alert = after.healthStatus === 'Unhealthy' && before.health !== 'Unhealthy';
    return { logLevel: alert ? 'Error' : 'Warning', message: `Health check failed (${after.consecutiveFailures} in a row): ${message}${alert ? '; integration is Unhealthy' : ''}` };
  }
  if (after.healthStatus !== before.health) return { logLevel: 'Information', message: `Health check passed; health ${before.health} → ${after.healthStatus}` };
  return null;
}

function recordMetrics(integration: Integration, healthBefore: HealthStatus, purpose: string, threshold: number): void {
  const labels = { integration_id: integration.id, provider: integration.provider };
  integrationHealthStatus.set(labels, healthStatusValue(integration.healthStatus));
  if (purpose !== 'health') return;
  healthChecks.inc({ provider: integration.provider, health_status: integration.healthStatus });
  if (integration.healthStatus === 'Unhealthy' && healthBefore !== 'Unhealthy' && integration.consecutiveFailures === threshold) healthAlerts.inc({ provider: integration.provider });
}
