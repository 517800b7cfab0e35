/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DataSyncLogDto } from './DataSyncLogDto';
export type DataSyncLogPage = {
    items: Array<DataSyncLogDto>;
    total: number;
    page: number;
    pageSize: number;
};

