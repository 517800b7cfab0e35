/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { IncomingEventDto } from './IncomingEventDto';
export type IncomingEventPage = {
    items: Array<IncomingEventDto>;
    total: number;
    page: number;
    pageSize: number;
};

