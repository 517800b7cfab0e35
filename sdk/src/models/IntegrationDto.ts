/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { HealthStatus } from './HealthStatus';
import type { IntegrationStatus } from './IntegrationStatus';
import type { IntegrationType } from './IntegrationType';
export type IntegrationDto = {
    id: string;
    name: string;
    integrationType: IntegrationType;
    provider: string;
    status: IntegrationStatus;
    /**
     * Why it is in this status
     */
    statusReason: string | null;
    isEnabled: boolean;
    healthStatus: HealthStatus;
    lastHealthCheck: string | null;
    lastSyncTime: string | null;
    createdAt: string;
    /**
     * The API key that created it
     */
    createdBy: string | null;
    modifiedAt: string | null;
    modifiedBy: string | null;
    /**
     * The configuration with every secret shown as "********"
     */
    configuration: Record<string, any>;
    /**
     * OAuth providers: whether access was granted and tokens are stored
     */
    authorized: boolean;
    accessTokenExpiresAt: string | null;
};

