/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { FieldErrorDto } from './FieldErrorDto';
export type ProblemDetailsDto = {
    type: string;
    title: string;
    status: number;
    detail: string;
    /**
     * Stable machine-readable code
     */
    code: string;
    instance?: string;
    requestId?: string;
    /**
     * One entry per invalid field (validation errors only)
     */
    errors?: Array<FieldErrorDto>;
};

