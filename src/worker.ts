import 'dotenv/config';
import type { Logger } from 'pino';
import { reportStartUpFailure, startUp } from './common/logging/start-up';
import { createWorker } from './bootstrap';

let logger: Logger | undefined;

/** `npm run start:worker`: Bull processors, schedules and the outbox relay, without HTTP. */
async function main(): Promise<void> {
  const started = startUp();
  logger = started.logger;
  await createWorker(started.config, logger);
  logger.info({ role: 'worker' }, 'Integration Hub worker started');
}

main().catch((error: Error) => reportStartUpFailure(error, logger));
