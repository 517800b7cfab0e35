/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Scope } from './Scope';
export type UpdateApiKeyDto = {
    keyName?: string;
    /**
     * Can only narrow the current scopes
     */
    scopes?: Array<Scope>;
    rateLimitPerHour?: number;
};

