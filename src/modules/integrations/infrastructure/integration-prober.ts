import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import type { IntegrationType, ProbeOutcome } from '../domain/integration-types';
import { Configuration, ProbeDetails, ProviderCall, ProviderCallError } from '../providers/provider-adapter';
import { ProviderHttpFactory } from '../providers/provider-http';
import { ProviderRegistry } from '../providers/provider-registry';
import { OAuthTokenService } from './oauth-token.service';

/** What a probe needs of an integration: read (and decrypted) before the call, outside any transaction. */
export interface IntegrationSnapshot {
  id: string;
  tenantId: string;
  integrationType: IntegrationType;
  provider: string;
  configuration: Configuration;
}

/** `test`: validate the credentials, then a test transaction or message (UC-IM-01/02); `health`: the cheap check. */
export type ProbeKind = 'test' | 'health';

/**
 * Calls an integration's provider through its adapter and reports the outcome; never throws. Runs outside
 * transactions: a provider may take its whole timeout, and no database connection waits for it.
 */
@Injectable()
export class IntegrationProber {
  private readonly logger = new Logger(IntegrationProber.name);

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly httpFactory: ProviderHttpFactory,
    private readonly tokens: OAuthTokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async probe(integration: IntegrationSnapshot, kind: ProbeKind): Promise<ProbeOutcome> {
    const adapter = this.registry.get(integration.provider);
    const call: ProviderCall = {
      configuration: integration.configuration,
      http: this.httpFactory.forIntegration(integration.id, integration.provider),
      urls: this.config.integrations.providerUrls,
      accessToken: () => this.tokens.accessTokenFor(integration),
    };
    const started = performance.now();
    try {
      let details: ProbeDetails;
      if (kind === 'health') details = await adapter.checkHealth(call);
      else details = { ...(await adapter.validateCredentials(call)), ...(await adapter.sendTest(call)) };
      const responseTimeMs = performance.now() - started;
      return { ok: true, message: kind === 'health' ? 'Health check passed' : 'Credentials validated and test passed', responseTimeMs, details };
    } catch (error) {
      const responseTimeMs = performance.now() - started;
      if (error instanceof ProviderCallError) return { ok: false, failure: error.failure, message: error.message, responseTimeMs, details: error.status ? { status: error.status } : undefined };
      // A bug in an adapter must not take the worker down; the message stays generic, the stack goes to our log.
      this.logger.error({ err: error, integrationId: integration.id, provider: integration.provider }, 'Unexpected error while probing an integration');
      return { ok: false, failure: 'unavailable', message: `Unexpected error while calling ${integration.provider}`, responseTimeMs };
    }
  }
}
