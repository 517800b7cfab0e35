import 'dotenv/config';
import type { Logger } from 'pino';
import { reportStartUpFailure, startUp } from './common/logging/start-up';
import { createHttpApp, createWorker } from './bootstrap';

let logger: Logger | undefined;

/** `npm start`: the API and the worker in one process (PROCESS_ROLE=all), or either alone. */
async function main(): Promise<void> {
  const started = startUp();
  const { config } = started;
  logger = started.logger;
  if (config.processRole === 'worker') {
    await createWorker(config, logger);
    return;
  }
  const app = await createHttpApp(config, logger);
  await app.listen({ port: config.port, host: config.host });
  logger.info({ role: config.processRole, port: config.port }, `Integration Hub (${config.processRole}) listening on http://localhost:${config.port} — Swagger UI at /docs`);
}

main().catch((error: Error) => reportStartUpFailure(error, logger));
