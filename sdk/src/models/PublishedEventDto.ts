/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type PublishedEventDto = {
    /**
     * The event id: the webhook-id header of its deliveries
     */
    id: string;
    eventType: string;
    timestamp: string;
    /**
     * True when the idempotency key was already used: this is the first publication
     */
    duplicate: boolean;
};

