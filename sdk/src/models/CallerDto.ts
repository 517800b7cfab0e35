/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Scope } from './Scope';
export type CallerDto = {
    apiKeyId: string;
    tenantId: string;
    scopes: Array<Scope>;
};

