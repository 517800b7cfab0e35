/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { AnomalyMetric } from './AnomalyMetric';
import type { AnomalySubjectType } from './AnomalySubjectType';
export type AnomalyDto = {
    id: string;
    /**
     * ApiKeyRequestsPerHour: an active key used far more than usual (a leaked key?); WebhookFailureRate: far more of a webhook's attempts failing than usual, in percent; SyncRecordsPerRun: a completed sync run that processed far more or far fewer records than usual; IntegrationResponseTime: an integration's health checks answered far slower than usual, in ms
     */
    metric: AnomalyMetric;
    subjectType: AnomalySubjectType;
    /**
     * The API key, webhook or integration observed
     */
    subjectId: string;
    /**
     * For SyncRecordsPerRun: the sync type and direction
     */
    dimension: string | null;
    observed: number;
    /**
     * The subject's rolling baseline (EWMA) before this observation
     */
    expected: number;
    /**
     * How many spreads the observation lay from the baseline (negative: below it)
     */
    zScore: number;
    /**
     * Observations the baseline held
     */
    baselineSamples: number;
    /**
     * End of the observed window, or when the sync run completed
     */
    observedAt: string;
    detectedAt: string;
};

