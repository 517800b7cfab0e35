/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { IntegrationLogLevel } from './IntegrationLogLevel';
export type IntegrationLogDto = {
    id: string;
    integrationId: string;
    logLevel: IntegrationLogLevel;
    message: string;
    details: Record<string, any> | null;
    exception: string | null;
    /**
     * The request or job that caused it
     */
    requestId: string | null;
    createdAt: string;
};

