/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { RetryPolicyViewDto } from './RetryPolicyViewDto';
export type WebhookDto = {
    id: string;
    tenantId: string;
    integrationId: string | null;
    url: string;
    description: string | null;
    eventTypes: Array<string>;
    isActive: boolean;
    disabledAt: string | null;
    disabledReason: string | null;
    retryPolicy: RetryPolicyViewDto;
    maxRetries: number;
    timeoutSeconds: number;
    lastTriggeredAt: string | null;
    /**
     * Deliveries delivered
     */
    successCount: number;
    /**
     * Deliveries failed or expired for good
     */
    failureCount: number;
    /**
     * Since when every attempt has failed
     */
    failingSince: string | null;
    /**
     * Until when the previous secret also signs
     */
    previousSecretExpiresAt: string | null;
    createdAt: string;
    createdBy: string | null;
    modifiedAt: string | null;
};

