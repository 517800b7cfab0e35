/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type CreateTenantDto = {
    name: string;
    /**
     * Active API keys this tenant may hold (default API_KEYS_MAX_ACTIVE_PER_TENANT)
     */
    maxActiveApiKeys?: number;
    /**
     * Webhooks this tenant may have, BR-WH-07 (default WEBHOOKS_MAX_PER_TENANT)
     */
    maxWebhooks?: number;
};

