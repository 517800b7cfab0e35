/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AuditEntryDto } from './AuditEntryDto';
export type AuditEntryPage = {
    items: Array<AuditEntryDto>;
    total: number;
    page: number;
    pageSize: number;
};

