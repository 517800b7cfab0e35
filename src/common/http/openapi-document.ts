import { STATUS_CODES } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { HeaderObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PROBLEM_CONTENT_TYPE } from './problem-details.filter';
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
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
  });
  describeResponsesAsServed(document);
  return document;
}

const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Limit': { description: "The key's requests per hour", schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in this hour', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the hour ends', schema: { type: 'integer' } },
};

const SUCCESS_DESCRIPTIONS: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted', '204': 'No content' };
/** Said once here rather than on each operation; an operation's own decorator says more where it can. */
const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input; `errors` names each field',
  '401': 'Missing, unknown, revoked or expired API key',
  '403': 'The API key lacks a scope this call needs (`missingScopes`)',
  '404': "Not found, or another tenant's",
  '409': 'Conflicts with the resource as it is',
  '413': 'The body is larger than this server accepts (`errors` names `body`)',
  '415': 'A Content-Type this operation does not read (`errors` names `content-type`)',
  '422': 'Understood but refused by a rule of the resource',
};
const PROBLEM_SCHEMA = { $ref: '#/components/schemas/ProblemDetailsDto' };

/**
 * What the decorators cannot say once for every operation, written into the document as the server behaves:
 * errors are `application/problem+json` (the filter sends nothing else); every keyed call counts against the
 * key's hourly limit, so it carries the RateLimit headers and may answer 429 with Retry-After; a body may be
 * refused as too large (413) or of the wrong type (415); and a response the decorators left undescribed gets what
 * its status means here, not an empty line in Swagger UI (and the SDK's errors a message, not just a status).
 */
function describeResponsesAsServed(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = pathItem[method];
      if (!operation) continue;
      const keyed = operation.security?.some((requirement) => API_KEY_SECURITY in requirement) ?? false;
      if (keyed && !operation.responses['429']) {
        operation.responses['429'] = { description: "The key's hourly request limit is spent", content: { 'application/json': { schema: PROBLEM_SCHEMA } } };
      }
      // Every body goes through the body limit and the parsers before the handler (configure-http.ts).
      if (operation.requestBody) {
        operation.responses['413'] ??= { description: ERROR_DESCRIPTIONS['413'], content: { 'application/json': { schema: PROBLEM_SCHEMA } } };
        operation.responses['415'] ??= { description: ERROR_DESCRIPTIONS['415'], content: { 'application/json': { schema: PROBLEM_SCHEMA } } };
      }
      for (const [status, response] of Object.entries(operation.responses) as Array<[string, ResponseObject]>) {
        const code = Number(status);
        // Whatever the operation produces when it succeeds (@ApiProduces sets every response's type).
        if (code >= 400 && response.content) {
          response.content = { [PROBLEM_CONTENT_TYPE]: response.content['application/json'] ?? Object.values(response.content)[0] };
        }
        if (!response.description) response.description = SUCCESS_DESCRIPTIONS[status] ?? ERROR_DESCRIPTIONS[status] ?? STATUS_CODES[code] ?? status;
        if (keyed && (code < 300 || code === 429)) {
          response.headers = { ...RATE_LIMIT_HEADERS, ...(code === 429 ? { 'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer' } } } : {}), ...response.headers };
        }
      }
    }
  }
}

export function serveSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: true },
    customSiteTitle: 'Integration Hub API',
  });
}
