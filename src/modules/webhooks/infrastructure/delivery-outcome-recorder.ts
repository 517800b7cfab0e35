import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { MicroBatcher } from '../../../common/batching/micro-batcher';
import { StatementBatch } from '../../../common/database/statement-batch';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import type { DomainEvent } from '../../../common/events/domain-event';
import { describeEvent } from '../../../common/events/domain-event';
import { insertOutboxRows } from '../../../common/outbox/insert-outbox-rows';
import type { DeliveryStatus } from '../domain/delivery-policy';
import { WebhookDeliveryFailedEvent, WebhookSentEvent } from '../domain/events/webhook.events';
import type { SendResult } from './webhook-sender';
import { DeliveryJob, enqueueDeliveries, WEBHOOK_DELIVERIES_QUEUE } from './delivery-queue';
import { webhookDeliveries } from './webhook-metrics';
import { postgresJson } from '../../../common/database/postgres-json';

/**
 * What became of one delivery job: an attempt, or none when the webhook was disabled (Failed) or the delivery
 * expired (Expired); either ends the delivery.
 */
export interface DeliveryOutcome {
  deliveryId: string;
  webhookId: string;
  tenantId: string;
  /** Attempts made before this job: the row is only updated if it still says so (a duplicate job changes nothing). */
  previousAttemptCount: number;
  attemptsInRound: number;
  status: Exclude<DeliveryStatus, 'Pending' | 'Sending'>;
  attempt: SendResult | null;
  /** Why it failed, when it did. */
  errorMessage: string | null;
  nextRetryAt: Date | null;
}

const MAX_BATCH = 1000;
const WRITE_TRIES = 3;

/**
 * Writes delivery outcomes in batches: per batch one transaction with a multi-row insert of the attempts, one
 * update of the deliveries, one of the webhooks' counters and health, and the WebhookSent /
 * WebhookDeliveryFailed events into the outbox (UC-WH-02 steps 7–8; UC-WH-03: also for deliveries that end
 * without an attempt), sent to PostgreSQL together in one round
 * trip (StatementBatch). A single-row commit per delivery caps a
 * worker near 5,000 deliveries/s on two cores (BASELINES.md); batches move that ceiling toward the cost of
 * the HTTP requests themselves. Each caller learns when its own outcome is committed, so a job completes
 * only after its outcome is durable. The delivery log is the audit record of deliveries (§17.1), so these
 * events are not copied into the audit trail.
 */
@Injectable()
export class DeliveryOutcomeRecorder {
  private readonly logger = new Logger(DeliveryOutcomeRecorder.name);
  private readonly batcher: MicroBatcher<DeliveryOutcome, void>;

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJob>,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.batcher = new MicroBatcher((outcomes) => this.write(outcomes), MAX_BATCH, config.webhooks.statusFlushMs);
  }

  record(outcome: DeliveryOutcome): Promise<void> {
    return this.batcher.add(outcome);
  }

  /** Writes what is waiting; for shutdown. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  private async write(outcomes: DeliveryOutcome[]): Promise<void[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const statements = new StatementBatch(this.em);
        await this.writeOnce(statements, outcomes);
        await statements.commit();
        break;
      } catch (error) {
        // A deadlock with another worker's batch on the same webhook rows: try again before failing the jobs
        // (a failed job is retried by Bull, which would send its request again).
        if (attempt >= WRITE_TRIES) throw error;
        this.logger.warn({ error: (error as Error).message, attempt }, 'Writing delivery outcomes failed; trying again');
      }
    }
    for (const outcome of outcomes) webhookDeliveries.inc({ outcome: outcome.status.toLowerCase() });
    const retries = outcomes.filter((o) => o.status === 'Retrying');
    try {
      await enqueueDeliveries(
        this.queue,
        retries.map((o) => ({ id: o.deliveryId, webhookId: o.webhookId, attemptCount: o.previousAttemptCount + 1, delayMs: o.nextRetryAt!.getTime() - Date.now() })),
      );
    } catch (error) {
      // Committed as Retrying in PostgreSQL: the sweep queues them when their time has passed.
      this.logger.warn({ error: (error as Error).message, count: retries.length }, 'Queueing retries failed; the sweep will queue them');
    }
    return outcomes.map(() => undefined);
  }

  /** Adds the batch's statements; they are sent together, as one transaction. */
  private async writeOnce(statements: StatementBatch, outcomes: DeliveryOutcome[]): Promise<void> {
    const attempted = outcomes.filter((o) => o.attempt);
    if (attempted.length) {
      statements.add(
        `INSERT INTO webhook_delivery_attempt (delivery_id, webhook_id, attempt_number, attempted_at, duration_ms, status_code, response_body, error_message, succeeded)
         SELECT r.delivery_id, r.webhook_id, r.attempt_number, r.attempted_at, r.duration_ms, r.status_code, r.response_body, r.error_message, r.succeeded
           FROM jsonb_to_recordset(?::jsonb) AS r(delivery_id uuid, webhook_id uuid, attempt_number int, attempted_at timestamptz, duration_ms int,
                                                   status_code int, response_body text, error_message text, succeeded boolean)`,
        [
          postgresJson(
            attempted.map((o) => ({
              delivery_id: o.deliveryId,
              webhook_id: o.webhookId,
              attempt_number: o.previousAttemptCount + 1,
              attempted_at: o.attempt!.attemptedAt.toISOString(),
              duration_ms: o.attempt!.durationMs,
              status_code: o.attempt!.statusCode,
              response_body: o.attempt!.responseBody,
              error_message: o.status === 'Delivered' ? null : o.errorMessage,
              succeeded: o.status === 'Delivered',
            })),
          ),
        ],
      );
    }

    statements.add(
      `UPDATE webhook_delivery d SET
          status = r.status,
          attempt_count = r.attempt_count,
          attempts_in_round = r.attempts_in_round,
          http_status_code = CASE WHEN r.attempted THEN r.status_code ELSE d.http_status_code END,
          response_body = CASE WHEN r.attempted THEN r.response_body ELSE d.response_body END,
          error_message = r.error_message,
          last_attempt_at = COALESCE(r.attempted_at, d.last_attempt_at),
          delivered_at = CASE WHEN r.status = 'Delivered' THEN r.attempted_at ELSE d.delivered_at END,
          next_retry_at = r.next_retry_at,
          batch_job_id = NULL
         FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, previous_attempt_count int, status text, attempt_count int, attempts_in_round int,
                                                 attempted boolean, status_code int, response_body text, error_message text,
                                                 attempted_at timestamptz, next_retry_at timestamptz)
        WHERE d.id = r.id AND d.attempt_count = r.previous_attempt_count AND d.status IN ('Pending', 'Retrying')`,
      [
        postgresJson(
          outcomes.map((o) => ({
            id: o.deliveryId,
            previous_attempt_count: o.previousAttemptCount,
            status: o.status,
            attempt_count: o.previousAttemptCount + (o.attempt ? 1 : 0),
            attempts_in_round: o.attemptsInRound,
            attempted: o.attempt !== null,
            status_code: o.attempt?.statusCode ?? null,
            response_body: o.attempt?.responseBody ?? null,
            error_message: o.status === 'Delivered' ? null : o.errorMessage,
            attempted_at: o.attempt?.attemptedAt.toISOString() ?? null,
            next_retry_at: o.nextRetryAt?.toISOString() ?? null,
          })),
        ),
      ],
    );

    const health = webhookHealthChanges(outcomes.filter(countsAgainstWebhook));
    if (health.length) {
      statements.add(
        `UPDATE webhook w SET
            success_count = w.success_count + r.delivered,
            failure_count = w.failure_count + r.failed,
            last_triggered_at = GREATEST(w.last_triggered_at, r.last_attempted_at),
            failing_since = CASE WHEN r.recovered THEN r.failing_since ELSE COALESCE(w.failing_since, r.failing_since) END
           FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, delivered int, failed int, last_attempted_at timestamptz, recovered boolean, failing_since timestamptz)
          WHERE w.id = r.id`,
        [JSON.stringify(health)],
      );
    }

    const events = outcomes.map((o): DomainEvent => {
      if (o.status === 'Delivered') return new WebhookSentEvent(o.tenantId, o.deliveryId, o.webhookId, o.attempt!.statusCode!, o.attempt!.attemptedAt.toISOString());
      // An outcome without an attempt (disabled webhook, expiry) ends the delivery for good: nextRetryAt is null,
      // and attemptCount says how many attempts it had.
      return new WebhookDeliveryFailedEvent(
        o.tenantId,
        o.deliveryId,
        o.webhookId,
        o.previousAttemptCount + (o.attempt ? 1 : 0),
        o.attempt?.statusCode ?? null,
        o.errorMessage ?? 'Failed',
        o.nextRetryAt?.toISOString() ?? null,
      );
    });
    const occurredAt = new Date().toISOString();
    await insertOutboxRows(
      statements,
      events.map((event) => ({
        id: randomUUID(),
        tenant_id: event.tenantId,
        event_type: describeEvent(event).name,
        aggregate_id: event.aggregateId,
        payload: { ...event },
        occurred_at: occurredAt,
      })),
    );
  }
}

/**
 * Whether an outcome is the webhook's own: every attempt, and an expiry (BR-WH-05: the endpoint did not take the
 * event within the window, a final failure counted in FailureCount like any other). A delivery dropped
 * unattempted because its webhook is disabled is not: the endpoint was never asked, and counting the drops of a
 * webhook its owner (or the auto-disable) switched off would inflate its failure count with events it was never
 * sent. Both still publish WebhookDeliveryFailed, so the event's loss is visible to subscribers.
 */
function countsAgainstWebhook(outcome: DeliveryOutcome): boolean {
  return outcome.attempt !== null || outcome.status === 'Expired';
}

/**
 * Per webhook in a batch: deliveries that ended delivered or failed for good (SuccessCount / FailureCount),
 * the last attempt, and the failure streak. `failing_since` is the first failure after the batch's last
 * success; `recovered` says a success in this batch ended any earlier streak. Only attempts move the last
 * attempt and the streak; an expiry only counts.
 */
function webhookHealthChanges(outcomes: DeliveryOutcome[]) {
  const byWebhook = new Map<string, DeliveryOutcome[]>();
  for (const o of outcomes) byWebhook.set(o.webhookId, [...(byWebhook.get(o.webhookId) ?? []), o]);
  return [...byWebhook].map(([id, list]) => {
    const sorted = list.filter((o) => o.attempt).sort((a, b) => a.attempt!.attemptedAt.getTime() - b.attempt!.attemptedAt.getTime());
    const lastSuccess = sorted.map((o) => o.status === 'Delivered').lastIndexOf(true);
    const firstFailureAfter = sorted.slice(lastSuccess + 1)[0];
    return {
      id,
      delivered: list.filter((o) => o.status === 'Delivered').length,
      failed: list.filter((o) => o.status === 'Failed' || o.status === 'Expired').length,
      last_attempted_at: sorted.at(-1)?.attempt!.attemptedAt.toISOString() ?? null,
      recovered: lastSuccess >= 0,
      failing_since: firstFailureAfter?.attempt!.attemptedAt.toISOString() ?? null,
    };
  });
}
