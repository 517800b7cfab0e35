/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SyncedRecordDto } from './SyncedRecordDto';
export type SyncedRecordPage = {
    items: Array<SyncedRecordDto>;
    total: number;
    page: number;
    pageSize: number;
    /**
     * Pass as `after` for the next page; null when this page is not full (the end, for now)
     */
    nextCursor: string | null;
};

