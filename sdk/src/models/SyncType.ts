/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Full: everything (records gone from the source are marked deleted); Incremental: what changed since the last sync; Differential: everything, writing only what changed
 */
export type SyncType = 'Full' | 'Incremental' | 'Differential';
