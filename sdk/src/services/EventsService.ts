/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EventTypeDto } from '../models/EventTypeDto';
import type { EventTypePage } from '../models/EventTypePage';
import type { PublishedEventDto } from '../models/PublishedEventDto';
import type { PublishEventDto } from '../models/PublishEventDto';
import type { RegisterEventTypeDto } from '../models/RegisterEventTypeDto';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class EventsService {
    constructor(public readonly httpRequest: BaseHttpRequest) {}
    /**
     * Publish an application event to every webhook subscribed to its type
     * @returns PublishedEventDto Accepted
     * @throws ApiError
     */
    public publishEvent({
        requestBody,
    }: {
        requestBody: PublishEventDto,
    }): CancelablePromise<PublishedEventDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/events',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: events:publish`,
                413: `The webhook body would exceed 1 MB (BR-WH-08)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                422: `Unknown or reserved event type, data that breaks its schema, or data holding a character that cannot be stored (U+0000, an unpaired UTF-16 surrogate)`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * Register an application event type, optionally with a JSON schema for its data
     * @returns EventTypeDto Created
     * @throws ApiError
     */
    public registerEventType({
        requestBody,
    }: {
        requestBody: RegisterEventTypeDto,
    }): CancelablePromise<EventTypeDto> {
        return this.httpRequest.request({
            method: 'POST',
            url: '/api/events/types',
            body: requestBody,
            mediaType: 'application/json',
            errors: {
                400: `Malformed JSON, unknown fields, wrong types or out-of-range values; \`errors\` names each field`,
                401: `Missing, unknown, revoked or expired API key`,
                403: `The key lacks a scope: events:publish`,
                409: `The tenant already has a type of that name`,
                413: `The body is larger than this server accepts (\`errors\` names \`body\`)`,
                415: `A Content-Type this operation does not read (\`errors\` names \`content-type\`)`,
                422: `A name of this service’s own events, or a schema that does not compile`,
                429: `The key's hourly rate limit is spent`,
            },
        });
    }
    /**
     * The event catalog: this service's domain events, then the tenant's registered types
     * @returns EventTypePage OK
     * @throws ApiError
     */
    public listEventTypes({
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
    }): CancelablePromise<EventTypePage> {
        return this.httpRequest.request({
            method: 'GET',
            url: '/api/events/types',
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
}
