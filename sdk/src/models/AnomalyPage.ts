/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AnomalyDto } from './AnomalyDto';
export type AnomalyPage = {
    items: Array<AnomalyDto>;
    total: number;
    page: number;
    pageSize: number;
};

