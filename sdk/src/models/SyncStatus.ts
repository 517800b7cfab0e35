/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SyncStatus = 'Scheduled' | 'Running' | 'Completed' | 'Failed' | 'Cancelled' | 'PartialSuccess';
