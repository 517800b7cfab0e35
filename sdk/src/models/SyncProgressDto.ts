/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SyncProgressDto = {
    /**
     * Percent of the records seen so far that are done; null while unknown
     */
    percent: number | null;
    recordsRemaining: number;
    /**
     * Records per second since the job started
     */
    recordsPerSecond: number | null;
    /**
     * At the current rate
     */
    estimatedCompletionAt: string | null;
};

