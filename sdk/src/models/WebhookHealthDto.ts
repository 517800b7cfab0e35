/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type WebhookHealthDto = {
    attemptsLastHour: number;
    failedLastHour: number;
    /**
     * Percent of the last hour’s attempts that failed
     */
    failureRatePercent: number;
    /**
     * Above WEBHOOK_FAILURE_RATE_ALERT_PERCENT (20%) as of the last sweep
     */
    alerting: boolean;
    failingSince: string | null;
    isActive: boolean;
    disabledReason: string | null;
};

