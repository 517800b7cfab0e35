/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type RotateWebhookSecretDto = {
    /**
     * Seconds the old secret keeps signing beside the new one; 0 drops it now. Default WEBHOOK_SECRET_ROTATION_GRACE_SECONDS (24 h)
     */
    gracePeriodSeconds?: number;
};

