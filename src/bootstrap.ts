import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { createRootLogger, PinoNestLogger } from './common/logging/logger';
import { AppModule } from './app.module';
import type { AppConfig } from './common/config/app-config';
import { migrateDatabase } from './common/database/migrate';
import { configureHttp, fastifyOptions } from './common/http/configure-http';
import { buildOpenApiDocument, serveSwaggerUi } from './common/http/openapi-document';
import { mountQueueDashboard } from './common/queues/queue-dashboard';
import { EnsureBootstrapKeyCommand } from './modules/api-keys/commands/ensure-bootstrap-key/ensure-bootstrap-key.command';

import { version } from '../package.json';

export const VERSION = version;

/** Runs the migrations at start-up when configured, the migrator's lines going to the service's log. */
async function migrateOnStart(config: AppConfig, logger: Logger): Promise<void> {
  if (!config.migrateOnStart) return;
  const migrator = logger.child({ context: 'Migrator' });
  await migrateDatabase(config, (message) => migrator.info(message));
}

/** The HTTP application (role `api` or `all`): migrated, configured, with the bootstrap key in place. */
export async function createHttpApp(config: AppConfig, logger: Logger = createRootLogger(config)): Promise<NestFastifyApplication> {
  await migrateOnStart(config, logger);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(fastifyOptions(config, logger)), {
    logger: new PinoNestLogger(logger),
    // configureHttp registers the body parsers: incoming provider webhooks need their exact bytes, unparsed.
    bodyParser: false,
  });
  app.enableShutdownHooks();
  await configureHttp(app, config);
  serveSwaggerUi(app, buildOpenApiDocument(app, VERSION));
  await mountQueueDashboard(app);
  await app.init();
  await app.get(CommandBus).execute(new EnsureBootstrapKeyCommand(config.bootstrapApiKey));
  return app;
}

/** The worker without HTTP (role `worker`). */
export async function createWorker(config: AppConfig, logger: Logger = createRootLogger(config)): Promise<INestApplicationContext> {
  await migrateOnStart(config, logger);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, processRole: 'worker' }), {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
