/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiKeyDto } from './ApiKeyDto';
import type { CreatedApiKeyDto } from './CreatedApiKeyDto';
export type RotatedApiKeyDto = {
    /**
     * The new key, with its secret (shown once)
     */
    current: CreatedApiKeyDto;
    /**
     * The old key; it works until its expiresAt (the grace period) unless revoked
     */
    previous: ApiKeyDto;
};

