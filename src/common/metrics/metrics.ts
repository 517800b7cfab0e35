import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry for the process. Metrics are module-level singletons (as prom-client intends) so
 * that hot paths reach them without injection; /metrics serialises the registry.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by route, method and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const commandDuration = new Histogram({
  name: 'command_duration_seconds',
  help: 'CQRS command handling time by command and outcome',
  labelNames: ['command', 'outcome'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const outboxRelayed = new Counter({
  name: 'outbox_events_relayed_total',
  help: 'Committed events the relay handed on: path="relay" when it ran their reactions itself, "bull" when it queued them',
  labelNames: ['event_type', 'path'] as const,
  registers: [metricsRegistry],
});

export const outboxRelayFailures = new Counter({
  name: 'outbox_relay_reaction_failures_total',
  help: 'Reactions the relay could not finish itself: stage="reaction" (their events went through Bull instead), "after_commit" (what follows the commit, such as queueing new deliveries, failed: the webhook sweep takes over)',
  labelNames: ['stage'] as const,
  registers: [metricsRegistry],
});

export const outboxRecovered = new Counter({
  name: 'outbox_events_recovered_total',
  help: 'Relayed domain events handed back to the relay because Redis lost their job before their reactions ran',
  registers: [metricsRegistry],
});

export const schedulesRestored = new Counter({
  name: 'schedules_restored_total',
  help: 'Repeatable jobs (schedules) a worker added back because Redis no longer held them',
  labelNames: ['queue'] as const,
  registers: [metricsRegistry],
});

/** Successful authentications since the last scrape, added to the counter when it is read. */
let authenticatedSinceScrape = 0;

export const apiKeyAuthentications = new Counter({
  name: 'api_key_authentications_total',
  help: 'API key authentication outcomes',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
  // prom-client calls collect() before it reads the counter (each scrape): the hot outcome is counted in a plain
  // number and handed over then, as inc() hashes the labels and checks them on every call.
  collect() {
    if (authenticatedSinceScrape > 0) {
      this.inc({ outcome: 'ok' }, authenticatedSinceScrape);
      authenticatedSinceScrape = 0;
    }
  },
});

/** Counts one successful API key authentication (`api_key_authentications_total{outcome="ok"}`). */
export function countApiKeyAuthenticated(): void {
  authenticatedSinceScrape++;
}
