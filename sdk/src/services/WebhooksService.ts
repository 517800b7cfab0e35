/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { CreateWebhookDto } from '../models/CreateWebhookDto';
import type { DeliveryStatus } from '../models/DeliveryStatus';
import type { RecoveredDeliveriesDto } from '../models/RecoveredDeliveriesDto';
import type { RecoverWebhookDto } from '../models/RecoverWebhookDto';
import type { RotateWebhookSecretDto } from '../models/RotateWebhookSecretDto';
import type { UpdateWebhookDto } from '../models/UpdateWebhookDto';
import type { WebhookDeliveryDetailDto } from '../models/WebhookDeliveryDetailDto';
import type { WebhookDeliveryDto } from '../models/WebhookDeliveryDto';
import type { WebhookDeliveryPage } from '../models/WebhookDeliveryPage';
import type { WebhookDto } from '../models/WebhookDto';
import type { WebhookHealthDto } from '../models/WebhookHealthDto';
import type { WebhookPage } from '../models/WebhookPage';
import type { WebhookSecretDto } from '../models/WebhookSecretDto';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class WebhooksService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Subscribe an HTTPS endpoint to event types; it gets a signed verification request first
     * @returns WebhookDto Created
     * @throws ApiError
     */
    public createWebhook({
        requestBody,
    }: {
        requestBody: CreateWebhookDto,
    }): CancelablePromise<WebhookDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/webhooks',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                409: `The tenant has its maximum of webhooks (BR-WH-07)`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                422: `Unknown event type, or the verification request did not get a 2xx answer`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * List the tenant's webhooks (never their secrets)
     * @returns WebhookPage OK
     * @throws ApiError
     */
    public listWebhooks({
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
    }): CancelablePromise<WebhookPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/webhooks',
            query: {
                'page': page,
                'pageSize': pageSize,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Get a webhook with its counters
     * @returns WebhookDto OK
     * @throws ApiError
     */
    public getWebhook({
        id,
    }: {
        id: string,
    }): CancelablePromise<WebhookDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/webhooks/{id}',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Change URL, event types, retry policy or timeout; disable or enable
     * @returns WebhookDto OK
     * @throws ApiError
     */
    public updateWebhook({
        id,
        requestBody,
    }: {
        id: string,
        requestBody: UpdateWebhookDto,
    }): CancelablePromise<WebhookDto> {
        return this.httpRequest.request({
            method: 'PUT',
            url: '/api/webhooks/{id}',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                422: `Unknown event type, or a new URL whose verification request did not get a 2xx answer`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Delete a webhook and its delivery log
     * @returns void
     * @throws ApiError
     */
    public deleteWebhook({
        id,
    }: {
        id: string,
    }): CancelablePromise<void> {
        return this.httpRequest.request({
            method: 'DELETE',
            url: '/api/webhooks/{id}',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * The signing secret (whsec_…): shown here, and in the answer to the rotation that issues a new one
     * @returns WebhookSecretDto OK
     * @throws ApiError
     */
    public getWebhookSecret({
        id,
    }: {
        id: string,
    }): CancelablePromise<WebhookSecretDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/webhooks/{id}/secret',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Issue a new secret; deliveries carry signatures of both until the grace period ends
     * @returns WebhookSecretDto OK
     * @throws ApiError
     */
    public rotateWebhookSecret({
        id,
        requestBody,
    }: {
        id: string,
        /**
         * Optional: without it, the default grace period
         */
        requestBody?: RotateWebhookSecretDto,
    }): CancelablePromise<WebhookSecretDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/webhooks/{id}/secret/rotate',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                409: `webhook.rotation_in_progress: an earlier rotation's grace period is still running (a grace period of 0 is always accepted)`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Queue a signed WebhookTest delivery to the endpoint
     * @returns WebhookDeliveryDto Accepted
     * @throws ApiError
     */
    public sendTestWebhook({
        id,
    }: {
        id: string,
    }): CancelablePromise<WebhookDeliveryDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/webhooks/{id}/test',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                409: `The webhook is disabled`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Failure rate over the last hour, alert state, failing streak
     * @returns WebhookHealthDto OK
     * @throws ApiError
     */
    public getWebhookHealth({
        id,
    }: {
        id: string,
    }): CancelablePromise<WebhookHealthDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/webhooks/{id}/health',
            path: {
                'id': id,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * The delivery log, newest first, by status, event type and time
     * @returns WebhookDeliveryPage OK
     * @throws ApiError
     */
    public listWebhookDeliveries({
        id,
        page = 1,
        pageSize = 20,
        status,
        eventType,
        from,
        to,
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
        status?: DeliveryStatus,
        eventType?: string,
        /**
         * Scheduled at or after
         */
        from?: string,
        /**
         * Scheduled before
         */
        to?: string,
    }): CancelablePromise<WebhookDeliveryPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/webhooks/{id}/deliveries',
            path: {
                'id': id,
            },
            query: {
                'page': page,
                'pageSize': pageSize,
                'status': status,
                'eventType': eventType,
                'from': from,
                'to': to,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * One delivery with its body and every attempt
     * @returns WebhookDeliveryDetailDto OK
     * @throws ApiError
     */
    public getWebhookDelivery({
        id,
        deliveryId,
    }: {
        id: string,
        deliveryId: string,
    }): CancelablePromise<WebhookDeliveryDetailDto> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/webhooks/{id}/deliveries/{deliveryId}',
            path: {
                'id': id,
                'deliveryId': deliveryId,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Send a delivery again (same webhook-id), with a fresh retry budget
     * @returns WebhookDeliveryDto Accepted
     * @throws ApiError
     */
    public replayWebhookDelivery({
        id,
        deliveryId,
    }: {
        id: string,
        deliveryId: string,
    }): CancelablePromise<WebhookDeliveryDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/webhooks/{id}/deliveries/{deliveryId}/replay',
            path: {
                'id': id,
                'deliveryId': deliveryId,
            },
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                409: `Already queued, or the webhook is disabled`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Send again every failed or expired delivery since a time (after an outage)
     * @returns RecoveredDeliveriesDto Accepted
     * @throws ApiError
     */
    public recoverWebhookDeliveries({
        id,
        requestBody,
    }: {
        id: string,
        requestBody: RecoverWebhookDto,
    }): CancelablePromise<RecoveredDeliveriesDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/webhooks/{id}/recover',
            path: {
                'id': id,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: webhook:manage`,
                404: `Not found, or another tenant's`,
                409: `The webhook is disabled`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
}
