/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SyncDirection } from './SyncDirection';
import type { SyncType } from './SyncType';
export type CreateDataSyncDto = {
    /**
     * The Active integration to sync
     */
    integrationId: string;
    /**
     * Full: everything (records gone from the source are marked deleted); Incremental: what changed since the last sync; Differential: everything, writing only what changed
     */
    syncType: SyncType;
    direction: SyncDirection;
    /**
     * When to run; now when absent; at most 30 days in the past (a past time runs at once, and the frequency rules count it as now) and 366 days ahead
     */
    scheduledAt?: string;
};

