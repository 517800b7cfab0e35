import { Counter } from 'prom-client';
import { metricsRegistry } from '../../../common/metrics/metrics';

export type IncomingOutcome = 'accepted' | 'duplicate' | 'rejected';

/** `incoming_webhooks_total{provider,outcome,reason}`: received, verified, rejected by reason, duplicates. */
export const incomingWebhooks = new Counter({
  name: 'incoming_webhooks_total',
  help: 'Provider callbacks by provider, outcome and rejection reason',
  labelNames: ['provider', 'outcome', 'reason'] as const,
  registers: [metricsRegistry],
});

export const incomingWebhooksProcessed = new Counter({
  name: 'incoming_webhooks_processed_total',
  help: 'Stored callbacks processed by the worker, by provider and result',
  labelNames: ['provider', 'result'] as const,
  registers: [metricsRegistry],
});
