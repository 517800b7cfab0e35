/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { IntegrationLogDto } from './IntegrationLogDto';
export type IntegrationLogPage = {
    items: Array<IntegrationLogDto>;
    total: number;
    page: number;
    pageSize: number;
};

