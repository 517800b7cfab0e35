/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { BaseHttpRequest } from './core/BaseHttpRequest';
import type { OpenAPIConfig } from './core/OpenAPI';
import { FetchHttpRequest } from './core/FetchHttpRequest';
import { AnomaliesService } from './services/AnomaliesService';
import { ApiKeysService } from './services/ApiKeysService';
import { AuditService } from './services/AuditService';
import { DataSyncService } from './services/DataSyncService';
import { EventsService } from './services/EventsService';
import { IncomingWebhooksService } from './services/IncomingWebhooksService';
import { IntegrationsService } from './services/IntegrationsService';
import { TenantsService } from './services/TenantsService';
import { WebhooksService } from './services/WebhooksService';
type HttpRequestConstructor = new (config: OpenAPIConfig) => BaseHttpRequest;
export class IntegrationHubClient {
    public readonly anomalies: AnomaliesService;
    public readonly apiKeys: ApiKeysService;
    public readonly audit: AuditService;
    public readonly dataSync: DataSyncService;
    public readonly events: EventsService;
    public readonly incomingWebhooks: IncomingWebhooksService;
    public readonly integrations: IntegrationsService;
    public readonly tenants: TenantsService;
    public readonly webhooks: WebhooksService;
    public readonly request: BaseHttpRequest;
    constructor(config?: Partial<OpenAPIConfig>, HttpRequest: HttpRequestConstructor = FetchHttpRequest) {
        this.request = new HttpRequest({
            BASE: config?.BASE ?? '',
            VERSION: config?.VERSION ?? '0.1.0',
            WITH_CREDENTIALS: config?.WITH_CREDENTIALS ?? false,
            CREDENTIALS: config?.CREDENTIALS ?? 'include',
            TOKEN: config?.TOKEN,
            USERNAME: config?.USERNAME,
            PASSWORD: config?.PASSWORD,
            HEADERS: config?.HEADERS,
            ENCODE_PATH: config?.ENCODE_PATH,
        });
        this.anomalies = new AnomaliesService(this.request);
        this.apiKeys = new ApiKeysService(this.request);
        this.audit = new AuditService(this.request);
        this.dataSync = new DataSyncService(this.request);
        this.events = new EventsService(this.request);
        this.incomingWebhooks = new IncomingWebhooksService(this.request);
        this.integrations = new IntegrationsService(this.request);
        this.tenants = new TenantsService(this.request);
        this.webhooks = new WebhooksService(this.request);
    }
}

