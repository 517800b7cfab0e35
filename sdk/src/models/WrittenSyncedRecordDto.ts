/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type WrittenSyncedRecordDto = {
    entity: string;
    externalId: string;
    data: Record<string, any>;
    /**
     * MD5 of the canonical JSON
     */
    contentHash: string;
    /**
     * When it changed here; an Export sends it unless the source changed it later
     */
    localModifiedAt: string;
    /**
     * True when the record did not exist yet
     */
    created: boolean;
};

