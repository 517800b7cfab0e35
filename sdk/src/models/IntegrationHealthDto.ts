/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { HealthStatus } from './HealthStatus';
import type { IntegrationStatus } from './IntegrationStatus';
export type IntegrationHealthDto = {
    integrationId: string;
    status: IntegrationStatus;
    healthStatus: HealthStatus;
    lastHealthCheck: string | null;
    lastResponseTimeMs: number | null;
    /**
     * Running average (EWMA) of response times
     */
    averageResponseTimeMs: number | null;
    consecutiveFailures: number;
    healthChecks: number;
    failedHealthChecks: number;
    /**
     * Share of health checks that passed, 0 to 1
     */
    successRate: number | null;
    lastError: string | null;
};

