/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type RotateApiKeyDto = {
    /**
     * Seconds the old key keeps working; 0 revokes it now. Defaults to API_KEYS_ROTATION_GRACE_SECONDS (24 h).
     */
    gracePeriodSeconds?: number;
};

