/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SyncDirection } from './SyncDirection';
import type { SyncProgressDto } from './SyncProgressDto';
import type { SyncStatus } from './SyncStatus';
import type { SyncType } from './SyncType';
export type DataSyncDto = {
    id: string;
    integrationId: string;
    syncType: SyncType;
    direction: SyncDirection;
    status: SyncStatus;
    /**
     * Records seen, or announced by the source when more
     */
    recordsTotal: number;
    /**
     * Records stored, unchanged or exported
     */
    recordsProcessed: number;
    /**
     * Records logged as failed and skipped
     */
    recordsFailed: number;
    recordsCreated: number;
    recordsUpdated: number;
    /**
     * Records the same as stored, older than stored (BR-DS-07), or duplicates (BR-DS-06)
     */
    recordsUnchanged: number;
    /**
     * Full syncs: records gone from the source, marked deleted
     */
    recordsDeleted: number;
    progress: SyncProgressDto;
    /**
     * Why the job failed
     */
    errorMessage: string | null;
    /**
     * Runs so far: a run that timed out or lost its worker is resumed by another
     */
    runs: number;
    batchesCompleted: number;
    cancelRequestedAt: string | null;
    scheduledAt: string;
    startedAt: string | null;
    completedAt: string | null;
    createdAt: string;
    createdBy: string | null;
};

