/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { IntegrationFailureKind } from './IntegrationFailureKind';
import type { IntegrationSummaryDto } from './IntegrationSummaryDto';
export type IntegrationTestResultDto = {
    success: boolean;
    /**
     * authentication suspends; configuration keeps it from activating; unavailable is transient
     */
    failure?: IntegrationFailureKind;
    message: string;
    responseTimeMs: number;
    /**
     * What the provider said (ids of test objects), never credentials
     */
    details: Record<string, any>;
    /**
     * The integration after the test
     */
    integration: IntegrationSummaryDto;
};

