/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AuthorizationStartedDto } from '../models/AuthorizationStartedDto';
import type { CreateIntegrationDto } from '../models/CreateIntegrationDto';
import type { IntegrationDto } from '../models/IntegrationDto';
import type { IntegrationHealthDto } from '../models/IntegrationHealthDto';
import type { IntegrationLogLevel } from '../models/IntegrationLogLevel';
import type { IntegrationLogPage } from '../models/IntegrationLogPage';
import type { IntegrationPage } from '../models/IntegrationPage';
import type { IntegrationSettingsViewDto } from '../models/IntegrationSettingsViewDto';
import type { IntegrationStatus } from '../models/IntegrationStatus';
import type { IntegrationTestResultDto } from '../models/IntegrationTestResultDto';
import type { IntegrationType } from '../models/IntegrationType';
import type { ReviewIntegrationDto } from '../models/ReviewIntegrationDto';
import type { StartAuthorizationDto } from '../models/StartAuthorizationDto';
import type { UpdateIntegrationDto } from '../models/UpdateIntegrationDto';
import type { UpdateIntegrationSettingsDto } from '../models/UpdateIntegrationSettingsDto';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class IntegrationsService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Create an integration in Draft; its configuration is stored encrypted. Test it to activate it.
     * @returns IntegrationDto Created
     * @throws ApiError
     */
    public createIntegration({
        requestBody,
    }: {
        requestBody: CreateIntegrationDto,
    }): CancelablePromise<IntegrationDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/integrations',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:admin`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * List the tenant's integrations, newest first, filtered by type, status or provider
     * @returns IntegrationPage OK
     * @throws ApiError
     */
    public listIntegrations({
        page = 1,
        pageSize = 20,
        type,
        status,
        provider,
    }: {
        /**
         * Page number, from 1
         */
        page?: number,
        /**
         * Items per page, 1 to 100
         */
        pageSize?: number,
        type?: IntegrationType,
        status?: IntegrationStatus,
        /**
         * Provider name, any case
         */
        provider?: string,
    }): CancelablePromise<IntegrationPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/integrations',
            query: {
                'page': page,
                'pageSize': pageSize,
                'type': type,
                'status': status,
                'provider': provider,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:read`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * The tenant's integration rules: which kinds allow only one Active integration
     * @returns IntegrationSettingsViewDto OK
     * @throws ApiError
     */
    public getIntegrationSettings(): CancelablePromise<IntegrationSettingsViewDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/integrations/settings',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:read`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Choose the kinds of which the tenant may have only one Active integration (BR-IM-01)
     * @returns IntegrationSettingsViewDto OK
     * @throws ApiError
     */
    public updateIntegrationSettings({
        requestBody,
    }: {
        requestBody: UpdateIntegrationSettingsDto,
    }): CancelablePromise<IntegrationSettingsViewDto> {
        return this.httpRequest.request({
            method: 'PUT',
            url: '/api/integrations/settings',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:admin`,
                409: `A kind made single-provider already has several Active integrations`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * The OAuth provider's redirect back after the user granted (or refused) access; the one-time state authenticates it
     * @returns IntegrationTestResultDto OK
     * @throws ApiError
     */
    public completeIntegrationAuthorization({
        state,
        code,
        error,
        errorDescription,
        scope,
    }: {
        state: string,
        code?: string,
        error?: string,
        errorDescription?: string,
        scope?: string,
    }): CancelablePromise<IntegrationTestResultDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/integrations/oauth/callback',
            query: {
                'state': state,
                'code': code,
                'error': error,
                'error_description': errorDescription,
                'scope': scope,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                422: `The user or the provider refused access`,
            },
        });
    }
    /**
     * Get an integration, its configuration masked
     * @returns IntegrationDto OK
     * @throws ApiError
     */
    public getIntegration({
        id,
    }: {
        id: string,
    }): CancelablePromise<IntegrationDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/integrations/{id}',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:read`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Rename, enable or disable, or change the configuration (which sends it back to Draft until tested)
     * @returns IntegrationDto OK
     * @throws ApiError
     */
    public updateIntegration({
        id,
        requestBody,
    }: {
        id: string,
        requestBody: UpdateIntegrationDto,
    }): CancelablePromise<IntegrationDto> {
        return this.httpRequest.request({
            method: 'PUT',
            url: '/api/integrations/{id}',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:admin`,
                404: `Not found, or another tenant's`,
                409: `Disconnected, or in Error and not yet reviewed`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Disconnect an integration for good; its logs and audit trail stay
     * @returns IntegrationDto OK
     * @throws ApiError
     */
    public disconnectIntegration({
        id,
        reason,
    }: {
        id: string,
        /**
         * Why (audit trail, events)
         */
        reason?: string,
    }): CancelablePromise<IntegrationDto> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/integrations/{id}',
            path: {
                'id': id,
            },
            query: {
                'reason': reason,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:admin`,
                404: `Not found, or another tenant's`,
                409: `Already disconnected`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Validate the credentials and send a test transaction or message; a passing Draft integration becomes Active
     * @returns IntegrationTestResultDto The test ran; `success` says whether the provider agreed
     * @throws ApiError
     */
    public testIntegration({
        id,
    }: {
        id: string,
    }): CancelablePromise<IntegrationTestResultDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/integrations/{id}/test',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:admin`,
                404: `Not found, or another tenant's`,
                409: `Another Active integration of a single-provider kind (BR-IM-01), in Error (review first), disconnected, or not yet authorized`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Health of an integration: status, response times, failures in a row, success rate
     * @returns IntegrationHealthDto OK
     * @throws ApiError
     */
    public getIntegrationHealth({
        id,
    }: {
        id: string,
    }): CancelablePromise<IntegrationHealthDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/integrations/{id}/health',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:read`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * An integration's log: configuration changes, tests, health results and errors, newest first
     * @returns IntegrationLogPage OK
     * @throws ApiError
     */
    public listIntegrationLogs({
        id,
        page = 1,
        pageSize = 20,
        logLevel,
    }: {
        id: string,
        /**
         * Page number, from 1
         */
        page?: number,
        /**
         * Items per page, 1 to 100
         */
        pageSize?: number,
        logLevel?: IntegrationLogLevel,
    }): CancelablePromise<IntegrationLogPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/integrations/{id}/logs',
            path: {
                'id': id,
            },
            query: {
                'page': page,
                'pageSize': pageSize,
                'logLevel': logLevel,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:read`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Record the manual review of an integration in Error; it returns to Draft (BR-IM-05)
     * @returns IntegrationDto OK
     * @throws ApiError
     */
    public reviewIntegration({
        id,
        requestBody,
    }: {
        id: string,
        requestBody: ReviewIntegrationDto,
    }): CancelablePromise<IntegrationDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/integrations/{id}/review',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:admin`,
                404: `Not found, or another tenant's`,
                409: `The integration is not in Error`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Start the OAuth authorization (code + PKCE) of a calendar integration: send the user to authorizationUrl
     * @returns AuthorizationStartedDto OK
     * @throws ApiError
     */
    public authorizeIntegration({
        id,
        requestBody,
    }: {
        id: string,
        /**
         * Optional: without it, INTEGRATIONS_OAUTH_REDIRECT_URL
         */
        requestBody?: StartAuthorizationDto,
    }): CancelablePromise<AuthorizationStartedDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/integrations/{id}/authorize',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:admin`,
                404: `Not found, or another tenant's`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                422: `The provider does not use OAuth`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
}
