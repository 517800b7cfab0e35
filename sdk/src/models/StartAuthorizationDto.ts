/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type StartAuthorizationDto = {
    /**
     * Where the provider sends the user back: https (plain http only to localhost), registered with the OAuth client. Defaults to INTEGRATIONS_OAUTH_REDIRECT_URL.
     */
    redirectUri?: string;
};

