/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SyncLogLevel } from './SyncLogLevel';
export type DataSyncLogDto = {
    id: string;
    level: SyncLogLevel;
    message: string;
    entity: string | null;
    /**
     * The failed record, when known
     */
    externalId: string | null;
    details: Record<string, any> | null;
    createdAt: string;
};

