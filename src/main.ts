import 'dotenv/config';
import { ConfigError } from './common/config/app-config';
import { startUp } from './common/logging/start-up';
import { createHttpApp, createWorker } from './bootstrap';

/** `npm start`: the API and the worker in one process (PROCESS_ROLE=all), or either alone. */
async function main(): Promise<void> {
  const { config, logger } = startUp();
  if (config.processRole === 'worker') {
    await createWorker(config, logger);
    return;
  }
  const app = await createHttpApp(config, logger);
  await app.listen({ port: config.port, host: config.host });
  logger.info({ role: config.processRole, port: config.port }, `Integration Hub (${config.processRole}) listening on http://localhost:${config.port} — Swagger UI at /docs`);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error.stack ?? error.message);
  process.exit(1);
});
