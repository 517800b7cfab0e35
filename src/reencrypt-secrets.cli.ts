import 'dotenv/config';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './common/config/app-config';
import { reencryptInBatches, ReencryptionTotals } from './common/crypto/reencryption';
import { ReencryptIntegrationSecretsCommand } from './modules/integrations/commands/reencrypt-integration-secrets/reencrypt-integration-secrets.command';
import { ReencryptWebhookSecretsCommand } from './modules/webhooks/commands/reencrypt-webhook-secrets/reencrypt-webhook-secrets.command';

/** Every kind of sealed value, each re-encrypted in batches by its own module's command. */
export async function reencryptSecrets(commands: CommandBus): Promise<{ integrations: ReencryptionTotals; webhooks: ReencryptionTotals }> {
  return {
    integrations: await reencryptInBatches((afterId) => commands.execute(new ReencryptIntegrationSecretsCommand(afterId))),
    webhooks: await reencryptInBatches((afterId) => commands.execute(new ReencryptWebhookSecretsCommand(afterId))),
  };
}

/**
 * `npm run keys:reencrypt`: seals every stored secret (integration configurations and OAuth tokens, webhook
 * signing secrets) again under ENCRYPTION_ACTIVE_KEY, so a key can then be removed from ENCRYPTION_KEYS. Safe to
 * run while the service runs, and again: it rewrites only what is sealed under another key. Rotation: add the new
 * key to the ring and make it active (restart), run this, then drop the old key.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, processRole: 'api' }), { logger: ['error', 'warn'] });
  try {
    const { integrations, webhooks } = await reencryptSecrets(app.get(CommandBus));
    const report = (kind: string, totals: ReencryptionTotals) => {
      console.log(`${kind}: ${totals.examined} examined, ${totals.resealed} re-encrypted under key "${config.encryption.activeKeyId}"`);
      // Sealed under a key no longer in ENCRYPTION_KEYS: put it back, run this again, and only then drop it.
      if (totals.unreadable.length) console.error(`${kind}: ${totals.unreadable.length} cannot be opened with ENCRYPTION_KEYS and were left as they are: ${totals.unreadable.join(', ')}`);
      return totals.unreadable.length;
    };
    if (report('Integrations', integrations) + report('Webhooks', webhooks) > 0) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error.stack ?? error.message);
    process.exit(1);
  });
}
