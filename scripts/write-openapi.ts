import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module';
import { VERSION } from '../src/bootstrap';
import { loadConfig } from '../src/common/config/app-config';
import { buildOpenApiDocument } from '../src/common/http/openapi-document';

/**
 * `npm run openapi`: writes openapi.json from the controllers and DTOs. Nest's preview mode builds the module
 * graph without instantiating providers, so neither PostgreSQL nor Redis is needed.
 */
async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, PROCESS_ROLE: 'api', NODE_ENV: 'development' }, () => undefined);
  const app = await NestFactory.create(AppModule.forRoot(config), new FastifyAdapter(), { preview: true, logger: false });
  const document = buildOpenApiDocument(app, VERSION);
  writeFileSync(join(__dirname, '..', 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
  console.log(`openapi.json: ${Object.keys(document.paths).length} paths`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
