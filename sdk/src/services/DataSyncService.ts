/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { CreateDataSyncDto } from '../models/CreateDataSyncDto';
import type { DataSyncDto } from '../models/DataSyncDto';
import type { DataSyncLogPage } from '../models/DataSyncLogPage';
import type { DataSyncPage } from '../models/DataSyncPage';
import type { SyncedRecordPage } from '../models/SyncedRecordPage';
import type { SyncLogLevel } from '../models/SyncLogLevel';
import type { SyncStatus } from '../models/SyncStatus';
import type { SyncType } from '../models/SyncType';
import type { WriteSyncedRecordDto } from '../models/WriteSyncedRecordDto';
import type { WrittenSyncedRecordDto } from '../models/WrittenSyncedRecordDto';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class DataSyncService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Schedule a sync of an Active integration (now when scheduledAt is absent)
     * @returns DataSyncDto Created
     * @throws ApiError
     */
    public createDataSync({
        requestBody,
    }: {
        requestBody: CreateDataSyncDto,
    }): CancelablePromise<DataSyncDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/datasyncs',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: datasync:manage`,
                409: `A Full sync within a day or an Incremental within an hour of another, counted from when each runs (BR-DS-01/02); nextAllowedAt says when`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                422: `Unknown or inactive integration, refused credentials, or no sync configuration`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * List sync jobs by integration, status, type and scheduled time
     * @returns DataSyncPage OK
     * @throws ApiError
     */
    public listDataSyncs({
        page = 1,
        pageSize = 20,
        integrationId,
        status,
        syncType,
        from,
        to,
    }: {
        /**
         * Page number, from 1
         */
        page?: number,
        /**
         * Items per page, 1 to 100
         */
        pageSize?: number,
        integrationId?: string,
        status?: SyncStatus,
        syncType?: SyncType,
        /**
         * Scheduled at or after
         */
        from?: string,
        /**
         * Scheduled before
         */
        to?: string,
    }): CancelablePromise<DataSyncPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/datasyncs',
            query: {
                'page': page,
                'pageSize': pageSize,
                'integrationId': integrationId,
                'status': status,
                'syncType': syncType,
                'from': from,
                'to': to,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: datasync:manage`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * A sync job with its counts and progress (percent, rate, estimated completion)
     * @returns DataSyncDto OK
     * @throws ApiError
     */
    public getDataSync({
        id,
    }: {
        id: string,
    }): CancelablePromise<DataSyncDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/datasyncs/{id}',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: datasync:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Cancel a sync job: at once when not started, at the next batch boundary when running
     * @returns DataSyncDto OK
     * @throws ApiError
     */
    public cancelDataSync({
        id,
    }: {
        id: string,
    }): CancelablePromise<DataSyncDto> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/datasyncs/{id}',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: datasync:manage`,
                404: `Not found, or another tenant's`,
                409: `The job has already ended`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * A sync job's execution log: run messages and every failed record
     * @returns DataSyncLogPage OK
     * @throws ApiError
     */
    public listDataSyncLogs({
        id,
        page = 1,
        pageSize = 20,
        level,
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
        level?: SyncLogLevel,
    }): CancelablePromise<DataSyncLogPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/datasyncs/{id}/logs',
            path: {
                'id': id,
            },
            query: {
                'page': page,
                'pageSize': pageSize,
                'level': level,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: datasync:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Server-Sent Events: `progress` on every batch until `end`
     * @returns string event: progress (data: the job as GET /{id}), then event: end (data: { status } when the job ended, { reason } when the key was revoked or expired meanwhile). The SDK resolves with the whole stream once it ends; for live progress read it with an EventSource client sending X-API-Key.
     * @throws ApiError
     */
    public streamDataSync({
        id,
    }: {
        id: string,
    }): CancelablePromise<string> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/datasyncs/{id}/stream',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: datasync:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Change (or add) a synced record here; the next Export or Bidirectional sync pushes it to the source
     * @returns WrittenSyncedRecordDto OK
     * @throws ApiError
     */
    public writeSyncedRecord({
        id,
        entity,
        externalId,
        requestBody,
    }: {
        id: string,
        entity: string,
        externalId: string,
        requestBody: WriteSyncedRecordDto,
    }): CancelablePromise<WrittenSyncedRecordDto> {
        return this.httpRequest.request({
            method: 'PUT',
            url: '/api/integrations/{id}/records/{entity}/{externalId}',
            path: {
                'id': id,
                'entity': entity,
                'externalId': externalId,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: datasync:manage`,
                404: `Not found, or another tenant's`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                422: `datasync.not_syncable: no sync resource of the integration carries the entity, or it has no sync configuration`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Records imported from the integration, by entity, oldest stored first
     * @returns SyncedRecordPage OK
     * @throws ApiError
     */
    public listSyncedRecords({
        id,
        entity,
        page = 1,
        pageSize = 20,
        updatedSince,
        after,
    }: {
        id: string,
        /**
         * The entity, as named in the integration's sync resources
         */
        entity: string,
        /**
         * Page number, from 1
         */
        page?: number,
        /**
         * Items per page, 1 to 100
         */
        pageSize?: number,
        /**
         * Only records stored or changed at or after this time, by a sync or a write here (their syncedAt)
         */
        updatedSince?: string,
        /**
         * The previous page's nextCursor: reads on after its last record, and `page` is ignored. A record changed while you page moves to the end of the order and is read again; paging by `page` would skip the record after it.
         */
        after?: string,
    }): CancelablePromise<SyncedRecordPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/integrations/{id}/records',
            path: {
                'id': id,
            },
            query: {
                'page': page,
                'pageSize': pageSize,
                'entity': entity,
                'updatedSince': updatedSince,
                'after': after,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: datasync:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
}
