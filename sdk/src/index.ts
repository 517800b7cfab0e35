/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export { IntegrationHubClient } from './IntegrationHubClient';

export { ApiError } from './core/ApiError';
export { BaseHttpRequest } from './core/BaseHttpRequest';
export { CancelablePromise, CancelError } from './core/CancelablePromise';
export { OpenAPI } from './core/OpenAPI';
export type { OpenAPIConfig } from './core/OpenAPI';

export type { ApiKeyDto } from './models/ApiKeyDto';
export type { ApiKeyPage } from './models/ApiKeyPage';
export type { ApiKeyStatus } from './models/ApiKeyStatus';
export type { AuditEntryDto } from './models/AuditEntryDto';
export type { AuditEntryPage } from './models/AuditEntryPage';
export type { AuthorizationStartedDto } from './models/AuthorizationStartedDto';
export type { CallerDto } from './models/CallerDto';
export type { CreateApiKeyDto } from './models/CreateApiKeyDto';
export type { CreatedApiKeyDto } from './models/CreatedApiKeyDto';
export type { CreatedTenantDto } from './models/CreatedTenantDto';
export type { CreateIntegrationDto } from './models/CreateIntegrationDto';
export type { CreateTenantDto } from './models/CreateTenantDto';
export type { CreateWebhookDto } from './models/CreateWebhookDto';
export type { DeliveryAttemptDto } from './models/DeliveryAttemptDto';
export type { DeliveryStatus } from './models/DeliveryStatus';
export type { EventTypeDto } from './models/EventTypeDto';
export type { EventTypePage } from './models/EventTypePage';
export type { EventTypeSource } from './models/EventTypeSource';
export type { FieldErrorDto } from './models/FieldErrorDto';
export type { HealthStatus } from './models/HealthStatus';
export type { IntegrationDto } from './models/IntegrationDto';
export type { IntegrationFailureKind } from './models/IntegrationFailureKind';
export type { IntegrationHealthDto } from './models/IntegrationHealthDto';
export type { IntegrationLogDto } from './models/IntegrationLogDto';
export type { IntegrationLogLevel } from './models/IntegrationLogLevel';
export type { IntegrationLogPage } from './models/IntegrationLogPage';
export type { IntegrationPage } from './models/IntegrationPage';
export type { IntegrationSettingsViewDto } from './models/IntegrationSettingsViewDto';
export type { IntegrationStatus } from './models/IntegrationStatus';
export type { IntegrationSummaryDto } from './models/IntegrationSummaryDto';
export type { IntegrationTestResultDto } from './models/IntegrationTestResultDto';
export type { IntegrationType } from './models/IntegrationType';
export type { ProblemDetailsDto } from './models/ProblemDetailsDto';
export type { PublishedEventDto } from './models/PublishedEventDto';
export type { PublishEventDto } from './models/PublishEventDto';
export type { RecoveredDeliveriesDto } from './models/RecoveredDeliveriesDto';
export type { RecoverWebhookDto } from './models/RecoverWebhookDto';
export type { RegisterEventTypeDto } from './models/RegisterEventTypeDto';
export type { RetryPolicyDto } from './models/RetryPolicyDto';
export type { RetryPolicyViewDto } from './models/RetryPolicyViewDto';
export type { ReviewIntegrationDto } from './models/ReviewIntegrationDto';
export type { RotateApiKeyDto } from './models/RotateApiKeyDto';
export type { RotatedApiKeyDto } from './models/RotatedApiKeyDto';
export type { RotateWebhookSecretDto } from './models/RotateWebhookSecretDto';
export type { Scope } from './models/Scope';
export type { StartAuthorizationDto } from './models/StartAuthorizationDto';
export type { TenantDto } from './models/TenantDto';
export type { TenantPage } from './models/TenantPage';
export type { UpdateApiKeyDto } from './models/UpdateApiKeyDto';
export type { UpdateIntegrationDto } from './models/UpdateIntegrationDto';
export type { UpdateIntegrationSettingsDto } from './models/UpdateIntegrationSettingsDto';
export type { UpdateWebhookDto } from './models/UpdateWebhookDto';
export type { WebhookDeliveryDetailDto } from './models/WebhookDeliveryDetailDto';
export type { WebhookDeliveryDto } from './models/WebhookDeliveryDto';
export type { WebhookDeliveryPage } from './models/WebhookDeliveryPage';
export type { WebhookDto } from './models/WebhookDto';
export type { WebhookHealthDto } from './models/WebhookHealthDto';
export type { WebhookPage } from './models/WebhookPage';
export type { WebhookSecretDto } from './models/WebhookSecretDto';

export { ApiKeysService } from './services/ApiKeysService';
export { AuditService } from './services/AuditService';
export { EventsService } from './services/EventsService';
export { IntegrationsService } from './services/IntegrationsService';
export { TenantsService } from './services/TenantsService';
export { WebhooksService } from './services/WebhooksService';
