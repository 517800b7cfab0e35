/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type ReceivedWebhookDto = {
    received: boolean;
    /**
     * True when this delivery was seen before: acknowledged, not processed again
     */
    duplicate: boolean;
};

