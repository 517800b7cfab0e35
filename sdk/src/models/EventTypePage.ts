/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EventTypeDto } from './EventTypeDto';
export type EventTypePage = {
    items: Array<EventTypeDto>;
    total: number;
    page: number;
    pageSize: number;
};

