/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { IntegrationSummaryDto } from './IntegrationSummaryDto';
export type IntegrationPage = {
    items: Array<IntegrationSummaryDto>;
    total: number;
    page: number;
    pageSize: number;
};

