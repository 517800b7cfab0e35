/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiKeyDto } from '../models/ApiKeyDto';
import type { ApiKeyPage } from '../models/ApiKeyPage';
import type { ApiKeyStatus } from '../models/ApiKeyStatus';
import type { CallerDto } from '../models/CallerDto';
import type { CreateApiKeyDto } from '../models/CreateApiKeyDto';
import type { CreatedApiKeyDto } from '../models/CreatedApiKeyDto';
import type { RotateApiKeyDto } from '../models/RotateApiKeyDto';
import type { RotatedApiKeyDto } from '../models/RotatedApiKeyDto';
import type { UpdateApiKeyDto } from '../models/UpdateApiKeyDto';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class ApiKeysService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Generate an API key; the key is in this answer only
     * @returns CreatedApiKeyDto Created
     * @throws ApiError
     */
    public generateApiKey({
        requestBody,
    }: {
        requestBody: CreateApiKeyDto,
    }): CancelablePromise<CreatedApiKeyDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/apikeys',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:manage`,
                409: `The tenant holds its maximum of active keys (BR-AK-03)`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * List the tenant's API keys (never their secrets)
     * @returns ApiKeyPage OK
     * @throws ApiError
     */
    public listApiKeys({
        page = 1,
        pageSize = 20,
        status,
    }: {
        /**
         * Page number, from 1
         */
        page?: number,
        /**
         * Items per page, 1 to 100
         */
        pageSize?: number,
        status?: ApiKeyStatus,
    }): CancelablePromise<ApiKeyPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/apikeys',
            query: {
                'page': page,
                'pageSize': pageSize,
                'status': status,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:manage`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Get an API key, with its usage
     * @returns ApiKeyDto OK
     * @throws ApiError
     */
    public getApiKey({
        id,
    }: {
        id: string,
    }): CancelablePromise<ApiKeyDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/apikeys/{id}',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Rename a key, narrow its scopes or change its hourly limit
     * @returns ApiKeyDto OK
     * @throws ApiError
     */
    public updateApiKey({
        id,
        requestBody,
    }: {
        id: string,
        requestBody: UpdateApiKeyDto,
    }): CancelablePromise<ApiKeyDto> {
        return this.httpRequest.request({
            method: 'PUT',
            url: '/api/apikeys/{id}',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:manage`,
                404: `Not found, or another tenant's`,
                409: `The key is revoked`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                422: `The scopes would widen (BR-AK-06)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Revoke a key for good; every replica refuses it within a second
     * @returns ApiKeyDto OK
     * @throws ApiError
     */
    public revokeApiKey({
        id,
        reason,
    }: {
        id: string,
        /**
         * Why the key is revoked (audit trail)
         */
        reason?: string,
    }): CancelablePromise<ApiKeyDto> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/apikeys/{id}',
            path: {
                'id': id,
            },
            query: {
                'reason': reason,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:manage`,
                404: `Not found, or another tenant's`,
                409: `Already revoked (BR-AK-07)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Issue a replacement key; the old one works until the grace period ends
     * @returns RotatedApiKeyDto OK
     * @throws ApiError
     */
    public rotateApiKey({
        id,
        requestBody,
    }: {
        id: string,
        /**
         * Optional: without it, the default grace period
         */
        requestBody?: RotateApiKeyDto,
    }): CancelablePromise<RotatedApiKeyDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/apikeys/{id}/rotate',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:manage`,
                404: `Not found, or another tenant's`,
                409: `Revoked, already rotated, or no room for another active key`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * The API key making this call: its id, tenant and scopes
     * @returns CallerDto OK
     * @throws ApiError
     */
    public getCurrentCaller(): CancelablePromise<CallerDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/me',
            errors: {
                401: `Missing, unknown, revoked or expired API key`,
                429: `The key's hourly request limit is spent`,
            },
        });
    }
}
