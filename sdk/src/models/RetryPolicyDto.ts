/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type RetryPolicyDto = {
    /**
     * Retries after the first attempt (BR-WH-03); default 5
     */
    maxRetries?: number;
    /**
     * Each retry waits this many times longer than the one before; the first waits 1 minute. Default 2
     */
    backoffMultiplier?: number;
};

