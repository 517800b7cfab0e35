/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeliveryAttemptDto } from './DeliveryAttemptDto';
import type { DeliveryStatus } from './DeliveryStatus';
export type WebhookDeliveryDetailDto = {
    id: string;
    webhookId: string;
    /**
     * The event; sent as the webhook-id header, the same on every retry
     */
    eventId: string;
    eventType: string;
    status: DeliveryStatus;
    attemptCount: number;
    httpStatusCode: number | null;
    /**
     * The last answer, cut at 4 KB
     */
    responseBody: string | null;
    errorMessage: string | null;
    scheduledAt: string;
    expiresAt: string;
    lastAttemptAt: string | null;
    deliveredAt: string | null;
    nextRetryAt: string | null;
    /**
     * The body exactly as signed and sent
     */
    payload: string;
    attempts: Array<DeliveryAttemptDto>;
};

