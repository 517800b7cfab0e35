import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SECURITY } from '../auth/auth.decorators';

const DESCRIPTION = `Integration Hub owns a company's connections to the outside world: integrations, API keys,
outgoing and incoming webhooks, data sync jobs.

Authenticate with an API key in the \`X-API-Key\` header ("Authorize" above). Errors are RFC 9457 problem details
(\`application/problem+json\`) with a stable \`code\`; validation errors list each field in \`errors\`.`;

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Integration Hub')
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key of your tenant' }, API_KEY_SECURITY)
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
  });
}

export function serveSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: true },
    customSiteTitle: 'Integration Hub API',
  });
}
