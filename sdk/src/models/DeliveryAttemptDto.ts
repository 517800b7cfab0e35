/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type DeliveryAttemptDto = {
    attemptNumber: number;
    attemptedAt: string;
    durationMs: number;
    statusCode: number | null;
    responseBody: string | null;
    errorMessage: string | null;
    succeeded: boolean;
};

