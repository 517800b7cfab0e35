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
     * One entry per field to blame: validation errors, and refusals of one field (`body`, `content-type`, `data`…)
     */
    errors?: Array<FieldErrorDto>;
    /**
     * 403 `auth.missing_scope`: the scopes the key lacks
     */
    missingScopes?: Array<string>;
    /**
     * 429 `auth.rate_limited`: seconds until the hourly budget resets (as `Retry-After`)
     */
    retryAfterSeconds?: number;
    /**
     * 409 `datasync.too_frequent`: when a sync of this integration may start again
     */
    nextAllowedAt?: string;
    /**
     * 409 `datasync.already_finished`: the status the job ended in
     */
    jobStatus?: string;
    /**
     * 503 `health.not_ready`: every check and its state
     */
    checks?: Record<string, any>;
};

