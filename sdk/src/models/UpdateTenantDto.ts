/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type UpdateTenantDto = {
    name?: string;
    /**
     * Active API keys this tenant may hold (default API_KEYS_MAX_ACTIVE_PER_TENANT); null returns to the default. A limit below what the tenant already holds is accepted: it only refuses new ones until the count drops under it.
     */
    maxActiveApiKeys?: number | null;
    /**
     * Webhooks this tenant may have, BR-WH-07 (default WEBHOOKS_MAX_PER_TENANT); null returns to the default. A limit below what the tenant already holds is accepted: it only refuses new ones until the count drops under it.
     */
    maxWebhooks?: number | null;
};

