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
};

