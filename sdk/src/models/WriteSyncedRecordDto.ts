/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type WriteSyncedRecordDto = {
    /**
     * The record as it should be; pushed to the source by the next Export
     */
    data: Record<string, any>;
};

