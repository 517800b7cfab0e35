/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EventTypeSource } from './EventTypeSource';
export type EventTypeDto = {
    name: string;
    /**
     * Domain: raised by this service. Application: registered by your tenant
     */
    source: EventTypeSource;
    description: string | null;
    schema: Record<string, any> | null;
    createdAt: string | null;
};

