import 'dotenv/config';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { AppModule } from '../../app.module';
import { ConfigError, loadConfig } from '../../common/config/app-config';
import { ReencryptIntegrationSecretsCommand, ReencryptionBatch } from './commands/reencrypt-integration-secrets/reencrypt-integration-secrets.command';

/**
 * Runs the re-encryption in batches (one transaction each) until every integration was examined, in passes over
 * all of them until a pass skipped none that other transactions were changing. An integration examined in two
 * passes counts twice.
 */
export async function reencryptIntegrationSecrets(commands: CommandBus): Promise<{ examined: number; resealed: number }> {
  const totals = { examined: 0, resealed: 0 };
  let skipped: number;
  do {
    skipped = 0;
    let afterId: string | null = null;
    do {
      const batch: ReencryptionBatch = await commands.execute(new ReencryptIntegrationSecretsCommand(afterId));
      totals.examined += batch.examined;
      totals.resealed += batch.resealed;
      skipped += batch.skipped;
      afterId = batch.nextAfterId;
    } while (afterId);
  } while (skipped > 0);
  return totals;
}

/**
 * `npm run keys:reencrypt`: seals every integration secret again under ENCRYPTION_ACTIVE_KEY, so a key can
 * then be removed from ENCRYPTION_KEYS. Safe to run while the service runs, and again: it rewrites only what
 * is sealed under another key. Rotation: add the new key to the ring and make it active (restart), run
 * this, then drop the old key.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, processRole: 'api' }), { logger: ['error', 'warn'] });
  try {
    const { examined, resealed } = await reencryptIntegrationSecrets(app.get(CommandBus));
    console.log(`Integrations: ${examined} examined, ${resealed} re-encrypted under key "${config.encryption.activeKeyId}"`);
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
