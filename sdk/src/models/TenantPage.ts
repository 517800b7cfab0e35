/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { TenantDto } from './TenantDto';
export type TenantPage = {
    items: Array<TenantDto>;
    total: number;
    page: number;
    pageSize: number;
};

