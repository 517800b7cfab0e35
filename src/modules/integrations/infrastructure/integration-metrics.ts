import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../../../common/metrics/metrics';
import { HEALTH_STATUSES, HealthStatus } from '../domain/integration-types';

/** §12.1 and issue #3's metrics. Per-integration series carry the id: a tenant has up to ~1,000 of them. */

export const integrationHealthStatus = new Gauge({
  name: 'integration_health_status',
  help: 'Health of each checked integration: 0 Healthy, 1 Degraded, 2 Unhealthy, 3 Unknown',
  labelNames: ['integration_id', 'provider'] as const,
  registers: [metricsRegistry],
});

export const providerCalls = new Counter({
  name: 'integration_provider_calls_total',
  help: 'HTTP calls to integration providers, one per attempt, by outcome (ok, authentication, configuration, unavailable)',
  labelNames: ['provider', 'operation', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const providerCallDuration = new Histogram({
  name: 'integration_provider_call_duration_seconds',
  help: 'Duration of calls to integration providers, one per attempt',
  labelNames: ['provider', 'operation'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const circuitState = new Gauge({
  name: 'integration_circuit_state',
  help: "State of an integration's circuit breaker: 0 closed, 1 open, 2 half-open, 3 isolated",
  labelNames: ['integration_id', 'provider'] as const,
  registers: [metricsRegistry],
});

export const healthChecks = new Counter({
  name: 'integration_health_checks_total',
  help: 'Health checks of integrations by resulting health status',
  labelNames: ['provider', 'health_status'] as const,
  registers: [metricsRegistry],
});

export const healthAlerts = new Counter({
  name: 'integration_health_alerts_total',
  help: 'IntegrationHealthDegraded alerts raised after consecutive failed health checks (BR-IM-04)',
  labelNames: ['provider'] as const,
  registers: [metricsRegistry],
});

export function healthStatusValue(status: HealthStatus): number {
  return HEALTH_STATUSES.indexOf(status);
}
