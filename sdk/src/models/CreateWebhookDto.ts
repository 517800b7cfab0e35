/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { RetryPolicyDto } from './RetryPolicyDto';
export type CreateWebhookDto = {
    /**
     * HTTPS URL that receives the events (BR-WH-01)
     */
    url: string;
    description?: string;
    /**
     * Event types to receive: see GET /api/events/types
     */
    eventTypes: Array<string>;
    retryPolicy?: RetryPolicyDto;
    /**
     * Seconds a delivery waits for an answer; default 30
     */
    timeoutSeconds?: number;
    /**
     * The integration this webhook belongs to, if any
     */
    integrationId?: string;
    /**
     * The signing secret, if you choose it: whsec_ and the base64 of 24 to 64 random bytes. A receiver that holds it can verify the verification request sent before the webhook exists. Made for you when absent; either way, readable later only through GET /api/webhooks/{id}/secret.
     */
    secret?: string;
};

