/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type RecoverWebhookDto = {
    /**
     * Failed and expired deliveries scheduled since then are sent again
     */
    since: string;
};

