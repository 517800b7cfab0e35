/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { CreatedApiKeyDto } from './CreatedApiKeyDto';
import type { TenantDto } from './TenantDto';
export type CreatedTenantDto = {
    tenant: TenantDto;
    /**
     * The tenant's first admin key (every scope but platform:admin). Shown once.
     */
    adminKey: CreatedApiKeyDto;
};

