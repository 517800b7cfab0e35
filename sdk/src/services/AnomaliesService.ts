/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AnomalyMetric } from '../models/AnomalyMetric';
import type { AnomalyPage } from '../models/AnomalyPage';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class AnomaliesService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Observations far outside their subject's own baseline: API key usage, webhook failure rates, sync volumes, integration response times (newest first)
     * @returns AnomalyPage OK
     * @throws ApiError
     */
    public listAnomalies({
        page = 1,
        pageSize = 20,
        metric,
        subjectId,
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
        metric?: AnomalyMetric,
        /**
         * The API key, webhook or integration observed
         */
        subjectId?: string,
        /**
         * Detected at or after
         */
        since?: string,
        /**
         * Detected before
         */
        until?: string,
    }): CancelablePromise<AnomalyPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/anomalies',
            query: {
                'page': page,
                'pageSize': pageSize,
                'metric': metric,
                'subjectId': subjectId,
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
