/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type ReviewIntegrationDto = {
    /**
     * What the review found (BR-IM-05)
     */
    note: string;
};

