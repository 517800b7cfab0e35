/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type AuthorizationStartedDto = {
    /**
     * Send the user here to grant access
     */
    authorizationUrl: string;
    /**
     * One-time value the provider echoes to the callback
     */
    state: string;
    expiresAt: string;
};

