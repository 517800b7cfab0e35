/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { CreatedTenantDto } from '../models/CreatedTenantDto';
import type { CreateTenantDto } from '../models/CreateTenantDto';
import type { TenantDto } from '../models/TenantDto';
import type { TenantPage } from '../models/TenantPage';
import type { UpdateTenantDto } from '../models/UpdateTenantDto';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class TenantsService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Create a tenant; its first admin key is in this answer only
     * @returns CreatedTenantDto Created
     * @throws ApiError
     */
    public createTenant({
        requestBody,
    }: {
        requestBody: CreateTenantDto,
    }): CancelablePromise<CreatedTenantDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/tenants',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: platform:admin`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * List tenants
     * @returns TenantPage OK
     * @throws ApiError
     */
    public listTenants({
        page = 1,
        pageSize = 20,
    }: {
        /**
         * Page number, from 1
         */
        page?: number,
        /**
         * Items per page, 1 to 100
         */
        pageSize?: number,
    }): CancelablePromise<TenantPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/tenants',
            query: {
                'page': page,
                'pageSize': pageSize,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: platform:admin`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Get a tenant
     * @returns TenantDto OK
     * @throws ApiError
     */
    public getTenant({
        id,
    }: {
        id: string,
    }): CancelablePromise<TenantDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/tenants/{id}',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: platform:admin`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Rename a tenant or change its limits of active API keys and webhooks
     * Absent fields stay as they are; at least one must be given. A limit set to null follows the configured default again. A limit below what the tenant already holds is accepted and deletes nothing: it only refuses new keys or webhooks (409) until the count drops under it.
     * @returns TenantDto OK
     * @throws ApiError
     */
    public updateTenant({
        id,
        requestBody,
    }: {
        id: string,
        requestBody: UpdateTenantDto,
    }): CancelablePromise<TenantDto> {
        return this.httpRequest.request({
            method: 'PATCH',
            url: '/api/tenants/{id}',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: platform:admin`,
                404: `Not found, or another tenant's`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
}
