import { Counter } from 'prom-client';
import { metricsRegistry } from '../../../common/metrics/metrics';

/** §12.3 "API key usage anomalies" and the rest of §10.2, for alerting rules. */
export const anomaliesDetected = new Counter({
  name: 'anomalies_detected_total',
  help: "Observations far outside their subject's rolling baseline (AnomalyDetected), by metric",
  labelNames: ['metric'] as const,
  registers: [metricsRegistry],
});
