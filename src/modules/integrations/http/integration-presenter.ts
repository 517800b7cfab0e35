import { Inject, Injectable } from '@nestjs/common';
import { SECRET_VAULT, SecretVault } from '../../../common/crypto/secret-vault';
import { maskConfiguration } from '../domain/configuration';
import type { Integration } from '../domain/integration.entity';
import { ProviderRegistry } from '../providers/provider-registry';
import { IntegrationDto } from './dto/integration.dto';

/** Turns an integration into its answer: the configuration opened, then masked with the provider's secret fields. */
@Injectable()
export class IntegrationPresenter {
  constructor(
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    private readonly registry: ProviderRegistry,
  ) {}

  toDto(integration: Integration): IntegrationDto {
    const secretFields = this.registry.find(integration.provider)?.secretFields ?? [];
    return IntegrationDto.withConfiguration(integration, maskConfiguration(integration.configuration(this.vault), secretFields));
  }
}
