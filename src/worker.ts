import 'dotenv/config';
import { ConfigError } from './common/config/app-config';
import { startUp } from './common/logging/start-up';
import { createWorker } from './bootstrap';

/** `npm run start:worker`: Bull processors, schedules and the outbox relay, without HTTP. */
async function main(): Promise<void> {
  const { config, logger } = startUp();
  await createWorker(config, logger);
  logger.info({ role: 'worker' }, 'Integration Hub worker started');
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error.stack ?? error.message);
  process.exit(1);
});
