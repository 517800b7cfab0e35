/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AuditEntryPage } from '../models/AuditEntryPage';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class AuditService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * The tenant's audit trail: who did what, when, from which IP (newest first)
     * @returns AuditEntryPage OK
     * @throws ApiError
     */
    public listAuditEntries({
        page = 1,
        pageSize = 20,
        resourceType,
        resourceId,
        action,
        actorApiKeyId,
        since,
        until,
    }: {
        /**
         * Page number, from 1
         */
        page?: number,
        /**
         * Items per page, 1 to 100
         */
        pageSize?: number,
        resourceType?: string,
        resourceId?: string,
        action?: string,
        /**
         * The API key that acted
         */
        actorApiKeyId?: string,
        since?: string,
        until?: string,
    }): CancelablePromise<AuditEntryPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/audit',
            query: {
                'page': page,
                'pageSize': pageSize,
                'resourceType': resourceType,
                'resourceId': resourceId,
                'action': action,
                'actorApiKeyId': actorApiKeyId,
                'since': since,
                'until': until,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: integration:manage`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
}
