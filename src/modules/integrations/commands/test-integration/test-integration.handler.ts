import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { Integration } from '../../domain/integration.entity';
import { IntegrationError, IntegrationErrorCode } from '../../domain/integration.errors';
import { ProviderRegistry } from '../../providers/provider-registry';
import { IntegrationProber } from '../../infrastructure/integration-prober';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { RecordIntegrationCheckCommand } from '../record-integration-check/record-integration-check.command';
import { IntegrationTestReport, TestIntegrationCommand } from './test-integration.command';

/**
 * Two transactions around one provider call: this one marks the integration PendingValidation and commits;
 * then, with no transaction open, the provider is called (for up to its timeout); then
 * RecordIntegrationCheckCommand applies the outcome in a second transaction. A crash in between leaves a
 * PendingValidation integration that the next test picks up.
 */
@CommandHandler(TestIntegrationCommand)
export class TestIntegrationHandler implements ICommandHandler<TestIntegrationCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    private readonly prober: IntegrationProber,
    private readonly registry: ProviderRegistry,
    private readonly commands: CommandBus,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ actor, integrationId }: TestIntegrationCommand): Promise<IntegrationTestReport> {
    // Locked, so that a disconnection committing meanwhile is seen here and refused, rather than overwritten with
    // PendingValidation and then activated by the outcome.
    const integration = await this.integrations.getOfTenant(actor.tenantId, integrationId, { lock: true });
    // The domain refuses first, so that a disconnected calendar is told so rather than asked to authorize again;
    // the refusal below rolls back what startCheck marked.
    const check = integration.startCheck(actor.apiKeyId);
    if (this.registry.get(integration.provider).oauth && !integration.sealedOAuthTokens) {
      throw new IntegrationError(IntegrationErrorCode.AuthorizationRequired, 'Authorize the integration at the provider first (POST /api/integrations/{id}/authorize)');
    }
    const snapshot = { id: integration.id, tenantId: integration.tenantId, integrationType: integration.integrationType, provider: integration.provider, configuration: integration.configuration(this.vault) };
    const report = new IntegrationTestReport();
    await afterCommit(async () => {
      report.outcome = await this.prober.probe(snapshot, 'test');
      const recorded = await this.commands.execute(new RecordIntegrationCheckCommand(actor.tenantId, integrationId, check, report.outcome, actor.apiKeyId, actor.requestId));
      report.integration = recorded.integration;
      if (recorded.stale) report.outcome = { ...report.outcome, message: `${report.outcome.message}; not applied, as the integration changed while the provider was asked` };
      if (recorded.conflict) throw recorded.conflict;
    });
    return report;
  }
}
