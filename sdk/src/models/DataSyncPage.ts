/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DataSyncDto } from './DataSyncDto';
export type DataSyncPage = {
    items: Array<DataSyncDto>;
    total: number;
    page: number;
    pageSize: number;
};

