/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type PublishEventDto = {
    /**
     * A type registered with POST /api/events/types
     */
    eventType: string;
    /**
     * The event's data; must match the type's schema, if it has one. The webhook body is at most 1 MB
     */
    data: Record<string, any>;
    /**
     * The same key within 24 h returns the first result and publishes nothing
     */
    idempotencyKey?: string;
};

