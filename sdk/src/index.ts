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
export type { CallerDto } from './models/CallerDto';
export type { CreateApiKeyDto } from './models/CreateApiKeyDto';
export type { CreatedApiKeyDto } from './models/CreatedApiKeyDto';
export type { CreatedTenantDto } from './models/CreatedTenantDto';
export type { CreateTenantDto } from './models/CreateTenantDto';
export type { FieldErrorDto } from './models/FieldErrorDto';
export type { ProblemDetailsDto } from './models/ProblemDetailsDto';
export type { RotateApiKeyDto } from './models/RotateApiKeyDto';
export type { RotatedApiKeyDto } from './models/RotatedApiKeyDto';
export type { Scope } from './models/Scope';
export type { TenantDto } from './models/TenantDto';
export type { TenantPage } from './models/TenantPage';
export type { UpdateApiKeyDto } from './models/UpdateApiKeyDto';

export { ApiKeysService } from './services/ApiKeysService';
export { AuditService } from './services/AuditService';
export { TenantsService } from './services/TenantsService';
