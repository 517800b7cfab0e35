/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type WebhookSecretDto = {
    /**
     * Verify deliveries with it (any Standard Webhooks library)
     */
    secret: string;
    /**
     * After a rotation: until when the previous secret also signs
     */
    previousSecretExpiresAt: string | null;
};

