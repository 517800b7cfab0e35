import 'dotenv/config';
import { ConfigError, loadConfig } from './common/config/app-config';
import { createWorker } from './bootstrap';

/** `npm run start:worker`: Bull processors, schedules and the outbox relay, without HTTP. */
createWorker(loadConfig()).catch((error: Error) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error.stack ?? error.message);
  process.exit(1);
});
