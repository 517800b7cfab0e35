import 'dotenv/config';
import { ConfigError, loadConfig } from './common/config/app-config';
import { createHttpApp, createWorker } from './bootstrap';

/** `npm start`: the API and the worker in one process (PROCESS_ROLE=all), or either alone. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.processRole === 'worker') {
    await createWorker(config);
    return;
  }
  const app = await createHttpApp(config);
  await app.listen({ port: config.port, host: config.host });
  console.log(`Integration Hub (${config.processRole}) listening on http://localhost:${config.port} — Swagger UI at /docs`);
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error.stack ?? error.message);
  process.exit(1);
});
