/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type TenantDto = {
    id: string;
    name: string;
    /**
     * null: API_KEYS_MAX_ACTIVE_PER_TENANT applies
     */
    maxActiveApiKeys: number | null;
    /**
     * null: WEBHOOKS_MAX_PER_TENANT applies
     */
    maxWebhooks: number | null;
    createdAt: string;
};

