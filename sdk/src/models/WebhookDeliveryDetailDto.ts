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
    /**
     * Pending or Retrying until an attempt is recorded, then Delivered, Retrying, Failed or Expired. Sending is in the enum for the spec's sake but never stored: an attempt in flight reads as Pending or Retrying (marking it would cost a write per attempt)
     */
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

