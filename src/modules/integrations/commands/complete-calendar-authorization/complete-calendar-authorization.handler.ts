import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { Integration } from '../../domain/integration.entity';
import { IntegrationError, IntegrationErrorCode } from '../../domain/integration.errors';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationProber } from '../../infrastructure/integration-prober';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { OAuthStateStore } from '../../infrastructure/oauth-state.store';
import { OAuthTokenService } from '../../infrastructure/oauth-token.service';
import { ProviderCallError } from '../../providers/provider-adapter';
import { RecordIntegrationCheckCommand } from '../record-integration-check/record-integration-check.command';
import { StoreOAuthTokensCommand } from '../store-oauth-tokens/store-oauth-tokens.command';
import { IntegrationTestReport } from '../test-integration/test-integration.command';
import { CompleteCalendarAuthorizationCommand } from './complete-calendar-authorization.command';

/** As a test does, the provider calls happen after this command's transaction, never inside one. */
@CommandHandler(CompleteCalendarAuthorizationCommand)
export class CompleteCalendarAuthorizationHandler implements ICommandHandler<CompleteCalendarAuthorizationCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    private readonly states: OAuthStateStore,
    private readonly tokens: OAuthTokenService,
    private readonly prober: IntegrationProber,
    private readonly commands: CommandBus,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ state, code, error, requestId }: CompleteCalendarAuthorizationCommand): Promise<IntegrationTestReport> {
    const pending = await this.states.take(state);
    if (!pending) throw new IntegrationError(IntegrationErrorCode.InvalidOAuthState, 'Unknown, used or expired state; start the authorization again');
    // Locked, as a test locks it: a disconnection committing meanwhile is refused below, not overwritten by startCheck.
    const integration = await this.integrations.getOfTenant(pending.tenantId, pending.integrationId, { lock: true });
    if (integration.status !== 'PendingValidation' && integration.status !== 'Active') {
      throw new IntegrationError(IntegrationErrorCode.InvalidTransition, `The integration is ${integration.status}; start the authorization again`);
    }
    const em = this.integrations.getEntityManager();
    if (error || !code) {
      const reason = `The user or the provider refused access (${(error ?? 'no code').slice(0, 100)})`;
      em.persist(IntegrationLog.write({ tenantId: pending.tenantId, integrationId: integration.id, logLevel: 'Warning', message: reason, requestId }));
      // The log entry commits; the caller still hears the refusal.
      await afterCommit(() => {
        throw new IntegrationError(IntegrationErrorCode.OAuthRefused, reason);
      });
      return new IntegrationTestReport();
    }
    const snapshot = { id: integration.id, tenantId: integration.tenantId, integrationType: integration.integrationType, provider: integration.provider, configuration: integration.configuration(this.vault) };
    const check = integration.startCheck(pending.requestedBy);
    const report = new IntegrationTestReport();
    await afterCommit(async () => {
      let tokens;
      try {
        tokens = await this.tokens.exchangeCode(snapshot, code, pending.codeVerifier, pending.redirectUri);
      } catch (exchangeError) {
        if (!(exchangeError instanceof ProviderCallError)) throw exchangeError;
        report.outcome = { ok: false, failure: exchangeError.failure, message: `Code exchange failed: ${exchangeError.message}`, responseTimeMs: 0 };
        report.integration = (await this.commands.execute(new RecordIntegrationCheckCommand(pending.tenantId, integration.id, check, report.outcome, pending.requestedBy, requestId))).integration;
        return;
      }
      const { stored } = await this.commands.execute(new StoreOAuthTokensCommand(pending.tenantId, integration.id, tokens, 'authorization'));
      // Disconnected while the code was exchanged: the tokens were dropped, and the provider is not asked with them.
      if (!stored) throw new IntegrationError(IntegrationErrorCode.Disconnected, 'The integration was disconnected while access was being granted; the tokens were dropped');
      report.outcome = await this.prober.probe(snapshot, 'test');
      const recorded = await this.commands.execute(new RecordIntegrationCheckCommand(pending.tenantId, integration.id, check, report.outcome, pending.requestedBy, requestId));
      report.integration = recorded.integration;
      if (recorded.conflict) throw recorded.conflict;
    });
    return report;
  }
}
