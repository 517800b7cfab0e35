/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type RecoveredDeliveriesDto = {
    /**
     * Deliveries queued again
     */
    requeued: number;
};

