import type { MetricShape } from './rolling-baseline';

/** What is watched, what each observation is, and what it is about. */
export const ANOMALY_METRICS = ['ApiKeyRequestsPerHour', 'WebhookFailureRate', 'SyncRecordsPerRun', 'IntegrationResponseTime'] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];

export const ANOMALY_SUBJECT_TYPES = ['api_key', 'webhook', 'integration'] as const;
export type AnomalySubjectType = (typeof ANOMALY_SUBJECT_TYPES)[number];

export interface MetricDefinition extends MetricShape {
  subjectType: AnomalySubjectType;
  description: string;
}

export const METRIC_DEFINITIONS: Record<AnomalyMetric, MetricDefinition> = {
  // §10.2 "unusual API usage indicating potential security issues": a leaked key is used far more than its owner uses it.
  ApiKeyRequestsPerHour: { subjectType: 'api_key', direction: 'up', minimumSpread: 10, description: "an active API key's requests per hour" },
  // §10.2 "webhook delivery patterns suggesting problems": against the endpoint's own failure rate, in percent of attempts.
  WebhookFailureRate: { subjectType: 'webhook', direction: 'up', minimumSpread: 5, description: "an active webhook's share of failed attempts, in percent" },
  // §10.2 "data sync anomalies (unexpected volumes)": too many records is as suspicious as none.
  SyncRecordsPerRun: { subjectType: 'integration', direction: 'both', minimumSpread: 10, description: 'records processed by one completed sync run of an integration, per sync type and direction' },
  // §10.1 "predicts integration health issues before failures", UC-IM-04 step 6: a provider answering far slower than
  // it usually does, while its checks still pass and long before BR-IM-04's fixed 5-second Degraded mark.
  IntegrationResponseTime: { subjectType: 'integration', direction: 'up', minimumSpread: 50, description: "an integration's recent response time to its health checks, in ms" },
};
