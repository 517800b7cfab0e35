/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiKeyDto } from './ApiKeyDto';
export type ApiKeyPage = {
    items: Array<ApiKeyDto>;
    total: number;
    page: number;
    pageSize: number;
};

