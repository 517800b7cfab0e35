/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Scope } from './Scope';
export type CreateApiKeyDto = {
    /**
     * A name that says what uses the key
     */
    keyName: string;
    /**
     * At least one; only scopes your own key holds
     */
    scopes: Array<Scope>;
    /**
     * When the key stops working; must be in the future
     */
    expiresAt?: string;
    /**
     * Requests per hour; defaults to API_KEYS_DEFAULT_RATE_LIMIT_PER_HOUR
     */
    rateLimitPerHour?: number;
};

