/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { RetryPolicyDto } from './RetryPolicyDto';
export type UpdateWebhookDto = {
    url?: string;
    /**
     * null removes the description
     */
    description?: string | null;
    /**
     * Event types to receive: see GET /api/events/types
     */
    eventTypes?: Array<string>;
    retryPolicy?: RetryPolicyDto;
    timeoutSeconds?: number;
    /**
     * false disables the webhook (WebhookDisabled); true enables it again
     */
    isActive?: boolean;
};

