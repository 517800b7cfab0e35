import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../../../common/metrics/metrics';

/** §12.1 for webhooks. Per-webhook series exist only for webhooks with attempts in the last hour. */
export const webhookDeliveries = new Counter({
  name: 'webhook_deliveries_total',
  help: 'Delivery attempts by outcome: delivered, retrying, failed, expired',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const webhookAttemptDuration = new Histogram({
  name: 'webhook_attempt_duration_seconds',
  help: 'Time from sending a webhook request to its answer (or timeout)',
  labelNames: ['result'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const webhookQueueDepth = new Gauge({
  name: 'webhook_delivery_queue_jobs',
  help: 'Delivery jobs in the queue by state (waiting, delayed, active), as of the last sweep',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});

export const webhookOldestPendingAge = new Gauge({
  name: 'webhook_oldest_pending_delivery_age_seconds',
  help: 'Age of the oldest delivery whose attempt is due (Pending, or Retrying past its retry time), as of the last sweep',
  registers: [metricsRegistry],
});

export const webhookSuccessRate = new Gauge({
  name: 'webhook_success_rate',
  help: 'Share of attempts that succeeded over the last hour, per webhook (0..1)',
  labelNames: ['webhook_id'] as const,
  registers: [metricsRegistry],
});

export const webhookFailureRateAlerts = new Counter({
  name: 'webhook_failure_rate_alerts_total',
  help: 'Times a webhook crossed the failure-rate alert threshold (WEBHOOK_FAILURE_RATE_ALERT_PERCENT)',
  registers: [metricsRegistry],
});

export const webhooksAutoDisabled = new Counter({
  name: 'webhooks_auto_disabled_total',
  help: 'Webhooks disabled because every attempt failed for WEBHOOK_AUTO_DISABLE_AFTER_SECONDS',
  registers: [metricsRegistry],
});

export const webhookDeliveriesRequeued = new Counter({
  name: 'webhook_deliveries_requeued_total',
  help: 'Due deliveries found in PostgreSQL without a queued job and queued again',
  registers: [metricsRegistry],
});
