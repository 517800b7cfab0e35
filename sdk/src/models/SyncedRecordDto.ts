/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type SyncedRecordDto = {
    entity: string;
    externalId: string;
    data: Record<string, any>;
    /**
     * The source's last-modified time
     */
    sourceModifiedAt: string | null;
    /**
     * MD5 of the canonical JSON
     */
    contentHash: string;
    deleted: boolean;
    /**
     * When the stored version last changed: imported, written here (PUT), or marked deleted
     */
    syncedAt: string;
};

