import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { CommonError } from '../../../common/errors/domain-error';
import { SafeHttpClient } from '../../../common/outbound/safe-http-client';
import { incomingWebhookConfigurationProblems } from '../../incoming-webhooks/domain/incoming-webhook-settings';
import { ConfigurationObject, parseConfiguration } from '../domain/configuration';
import type { IntegrationType } from '../domain/integration-types';
import type { ProviderAdapter } from '../providers/provider-adapter';
import { ProviderRegistry } from '../providers/provider-registry';

/**
 * The input rules of §7.1 that depend on the provider: a known provider for the type, a JSON object of at most
 * INTEGRATIONS_MAX_CONFIGURATION_BYTES, the fields the provider needs, URLs the SSRF-safe client would call.
 * Each failure is a 400 naming the field, before anything is stored.
 */
@Injectable()
export class ConfigurationValidator {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly http: SafeHttpClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  adapterFor(type: IntegrationType, provider: string): ProviderAdapter {
    const adapter = this.registry.find(provider);
    if (!adapter || !adapter.integrationTypes.includes(type)) {
      const known = this.registry.providersFor(type).join(', ');
      throw CommonError.validation([{ field: 'provider', messages: [`provider must be one of ${known} for ${type} integrations`] }]);
    }
    return adapter;
  }

  validConfiguration(adapter: ProviderAdapter, raw: unknown): ConfigurationObject {
    const { configuration, errors } = parseConfiguration(raw, this.config.integrations.maxConfigurationBytes);
    if (!configuration) throw CommonError.validation(errors);
    const problems = adapter.checkConfiguration(configuration, (url) => this.http.problemWith(url));
    // How the provider signs its callbacks to /api/webhooks/incoming/{id}, when the integration receives them.
    if (configuration.incomingWebhook !== undefined) {
      problems.push(...incomingWebhookConfigurationProblems(adapter.provider, configuration, this.config.incomingWebhooks.toleranceSeconds));
    }
    if (problems.length) throw CommonError.validation(problems);
    return configuration;
  }
}
