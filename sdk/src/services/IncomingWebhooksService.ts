/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { InboundEventStatus } from '../models/InboundEventStatus';
import type { IncomingEventPage } from '../models/IncomingEventPage';
import type { ReceivedWebhookDto } from '../models/ReceivedWebhookDto';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class IncomingWebhooksService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * A provider's callback. No API key: verified by the integration's signature scheme (Stripe, GitHub, Standard Webhooks or HMAC)
     * @returns ReceivedWebhookDto OK
     * @throws ApiError
     */
    public receiveIncomingWebhook({
        integrationId,
        requestBody,
    }: {
        integrationId: string,
        /**
         * The provider payload, verified over its exact bytes: JSON, or any other content type (a form, XML, plain text, multipart), kept as sent
         */
        requestBody: Record<string, any>,
    }): CancelablePromise<ReceivedWebhookDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/webhooks/incoming/{integrationId}',
            path: {
                'integrationId': integrationId,
            },
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                401: `Missing, malformed or wrong signature, or a timestamp outside the tolerance`,
                403: `The source address is not in the allow-list`,
                404: `No integration receives webhooks at this id`,
                413: `Bodies are limited to 1 MB`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
            },
        });
    }
    /**
     * What providers sent to an integration, newest first
     * @returns IncomingEventPage OK
     * @throws ApiError
     */
    public listIncomingEvents({
        id,
        page = 1,
        pageSize = 20,
        status,
        eventType,
        since,
        until,
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
        status?: InboundEventStatus,
        eventType?: string,
        since?: string,
        until?: string,
    }): CancelablePromise<IncomingEventPage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/integrations/{id}/incoming-events',
            path: {
                'id': id,
            },
            query: {
                'page': page,
                'pageSize': pageSize,
                'status': status,
                'eventType': eventType,
                'since': since,
                'until': until,
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
}
