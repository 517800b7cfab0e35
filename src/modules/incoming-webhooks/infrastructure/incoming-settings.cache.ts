import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../common/crypto/secret-vault';
import { Integration } from '../../integrations/domain/integration.entity';
import { IncomingWebhookSettings, readIncomingWebhookSettings } from '../domain/incoming-webhook-settings';
import { contextOrFork } from '../../../common/database/context-or-fork';

export interface Receiver {
  tenantId: string;
  integrationId: string;
  provider: string;
  settings: IncomingWebhookSettings;
}

/** Integrations that take no callbacks are remembered too, so probing unknown ids costs no query each time. */
const NONE = 'none' as const;

/**
 * The receiving settings of an integration, opened from its sealed configuration and kept for
 * INCOMING_WEBHOOKS_SETTINGS_CACHE_MS (5 s): a provider sending thousands of callbacks a second costs one
 * read and one decryption per period, and a changed secret or a disabled integration applies within it.
 */
@Injectable()
export class IncomingSettingsCache {
  private readonly cache: LRUCache<string, Receiver | typeof NONE>;
  private readonly loading = new Map<string, Promise<Receiver | typeof NONE>>();

  constructor(
    private readonly em: EntityManager,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: Math.max(config.incomingWebhooks.settingsCacheMs, 1) });
  }

  async receiverFor(integrationId: string): Promise<Receiver | null> {
    let found = this.cache.get(integrationId);
    if (found === undefined) {
      // A burst of callbacks after the entry expired reads the integration once, not once per request.
      let pending = this.loading.get(integrationId);
      if (!pending) {
        pending = this.load(integrationId).finally(() => this.loading.delete(integrationId));
        this.loading.set(integrationId, pending);
      }
      found = await pending;
      this.cache.set(integrationId, found);
    }
    return found === NONE ? null : found;
  }

  /** Reads through the caller's context when it has one (see contextOrFork). */
  private async load(integrationId: string): Promise<Receiver | typeof NONE> {
    const integration = await contextOrFork(this.em).findOne(Integration, integrationId, { disableIdentityMap: true });
    if (!integration || !integration.isEnabled || integration.status === 'Disconnected') return NONE;
    const { settings } = readIncomingWebhookSettings(integration.provider, integration.configuration(this.vault), this.config.incomingWebhooks.toleranceSeconds);
    if (!settings) return NONE;
    return { tenantId: integration.tenantId, integrationId: integration.id, provider: integration.provider, settings };
  }
}
