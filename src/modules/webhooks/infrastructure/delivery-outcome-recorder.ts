import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { MicroBatcher } from '../../../common/batching/micro-batcher';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import type { DomainEvent } from '../../../common/events/domain-event';
import { describeEvent } from '../../../common/events/domain-event';
import { DomainEventDispatcher } from '../../../common/events/domain-event-dispatcher';
import type { DeliveryStatus } from '../domain/delivery-policy';
import { WebhookDeliveryFailedEvent, WebhookSentEvent } from '../domain/events/webhook.events';
import type { SendResult } from './webhook-sender';
import { DeliveryJob, enqueueOrLeaveToSweep, WEBHOOK_DELIVERIES_QUEUE } from './delivery-queue';
import { webhookDeliveries } from './webhook-metrics';
import { postgresJson } from '../../../common/database/postgres-json';
import { statementFailure } from '../../../common/database/statement-failure';
import { queryBound } from '../../../common/database/bound-query';

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
 * Writes delivery outcomes in batches: per batch one statement that updates the deliveries, inserts the
 * attempts, moves the webhooks' counters and health, and writes the WebhookSent / WebhookDeliveryFailed events
 * into the outbox (UC-WH-02 steps 7–8; UC-WH-03: also for deliveries that end without an attempt). A single-row
 * commit per delivery caps a worker near 5,000 deliveries/s on two cores (BASELINES.md); batches move that
 * ceiling toward the cost of the HTTP requests themselves. Each caller learns when its own outcome is committed,
 * so a job completes only after its outcome is durable. The delivery log is the audit record of deliveries
 * (§17.1), so these events are not copied into the audit trail.
 *
 * Bull runs a job at least once: a job whose worker stalled runs again elsewhere, and a second run of an attempt
 * may find the row before the first run's outcome is written. The receiver then gets the request twice, which
 * at-least-once delivery allows (the webhook-id header lets it drop the copy), but the delivery log must not
 * show two attempts, count two successes or announce WebhookSent twice. So the delivery's UPDATE is the guard,
 * matching only the attempt count it was loaded with, and everything else in the statement is driven by the
 * rows it changed (data-modifying CTEs reading its RETURNING); outcomes it did not change are dropped.
 */
@Injectable()
export class DeliveryOutcomeRecorder {
  private readonly logger = new Logger(DeliveryOutcomeRecorder.name);
  private readonly batcher: MicroBatcher<DeliveryOutcome, void>;

  constructor(
    private readonly em: EntityManager,
    private readonly dispatcher: DomainEventDispatcher,
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
    let applied: DeliveryOutcome[];
    for (let attempt = 1; ; attempt++) {
      try {
        applied = await this.writeOnce(outcomes);
        break;
      } catch (error) {
        // A deadlock with another worker's batch on the same webhook rows: try again before failing the jobs
        // (a failed job is retried by Bull, which would send its request again).
        if (attempt >= WRITE_TRIES) throw error;
        this.logger.warn({ error: (error as Error).message, attempt }, 'Writing delivery outcomes failed; trying again');
      }
    }
    if (applied.length < outcomes.length) {
      this.logger.log({ dropped: outcomes.length - applied.length }, 'Outcomes of attempts another run of their job already recorded were dropped');
    }
    for (const outcome of applied) webhookDeliveries.inc({ outcome: outcome.status.toLowerCase() });
    await enqueueOrLeaveToSweep(
      this.queue,
      applied
        .filter((o) => o.status === 'Retrying')
        .map((o) => ({ id: o.deliveryId, webhookId: o.webhookId, attemptCount: o.previousAttemptCount + 1, delayMs: o.nextRetryAt!.getTime() - Date.now() })),
      this.logger,
    );
    return outcomes.map(() => undefined);
  }

  /**
   * One statement, so one transaction and one round trip. `n` numbers the outcomes: when two outcomes of one
   * attempt share the batch, the UPDATE changes the row once and RETURNING names the outcome it took, so the
   * other is dropped too. Returns the outcomes that were recorded.
   */
  private async writeOnce(outcomes: DeliveryOutcome[]): Promise<DeliveryOutcome[]> {
    const occurredAt = new Date().toISOString();
    const rows = outcomes.map((o, n) => {
      const event = outcomeEvent(o);
      const eventType = describeEvent(event).name;
      return {
        n,
        id: o.deliveryId,
        webhook_id: o.webhookId,
        tenant_id: o.tenantId,
        previous_attempt_count: o.previousAttemptCount,
        status: o.status,
        attempt_count: o.previousAttemptCount + (o.attempt ? 1 : 0),
        attempts_in_round: o.attemptsInRound,
        attempted: o.attempt !== null,
        status_code: o.attempt?.statusCode ?? null,
        response_body: o.attempt?.responseBody ?? null,
        duration_ms: o.attempt?.durationMs ?? null,
        error_message: o.status === 'Delivered' ? null : o.errorMessage,
        attempted_at: o.attempt?.attemptedAt.toISOString() ?? null,
        next_retry_at: o.nextRetryAt?.toISOString() ?? null,
        counts_against_webhook: countsAgainstWebhook(o),
        event_id: randomUUID(),
        event_type: eventType,
        event_payload: { ...event },
        event_relayed: this.dispatcher.isObserved(eventType),
      };
    });
    // A failed statement's error carries every outcome (knex inlines the values into its message: receivers'
    // answers, other tenants'), and it is logged and kept by Bull as each job's failure, so only the fault's names go on.
    const recorded = await queryBound<{ n: number }>(
      this.em.getConnection(),
      `WITH outcome AS (
         SELECT * FROM jsonb_to_recordset(?::jsonb) AS r(n int, id uuid, webhook_id uuid, tenant_id uuid, previous_attempt_count int, status text,
                attempt_count int, attempts_in_round int, attempted boolean, status_code int, response_body text, duration_ms int, error_message text,
                attempted_at timestamptz, next_retry_at timestamptz, counts_against_webhook boolean, event_id uuid, event_type text, event_payload jsonb,
                event_relayed boolean)
       ),
       recorded AS (
         UPDATE webhook_delivery d SET
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
           FROM outcome r
          -- The ids again as an array, so the rows are found by primary key: joined on the id alone, PostgreSQL
          -- (which takes the recordset for a hundred rows) hashed every due delivery, a backlog's worth per batch.
          -- The attempt and the event below carry the outcome's tenant_id, so the row must be that tenant's: the
          -- worker read it from this row, and an outcome naming another tenant is dropped rather than logged there.
          WHERE d.id = ANY(ARRAY(SELECT id FROM outcome)) AND d.id = r.id AND d.attempt_count = r.previous_attempt_count
            AND d.tenant_id = r.tenant_id AND d.status IN ('Pending', 'Retrying')
         RETURNING r.n
       ),
       applied AS (SELECT r.* FROM outcome r JOIN recorded USING (n)),
       attempts AS (
         INSERT INTO webhook_delivery_attempt (tenant_id, delivery_id, webhook_id, attempt_number, attempted_at, duration_ms, status_code, response_body, error_message, succeeded)
         SELECT tenant_id, id, webhook_id, attempt_count, attempted_at, duration_ms, status_code, response_body, error_message, status = 'Delivered'
           FROM applied WHERE attempted
       ),
       -- Per webhook: deliveries that ended delivered or failed for good (SuccessCount / FailureCount), the last
       -- attempt, and the failure streak. A success in the batch ends any earlier streak; the new streak, if
       -- any, starts at the first failed attempt after the batch's last success. An expiry only counts.
       scored AS (
         SELECT a.*, max(a.attempted_at) FILTER (WHERE a.status = 'Delivered') OVER (PARTITION BY a.webhook_id) AS last_success
           FROM applied a WHERE a.counts_against_webhook
       ),
       health AS (
         UPDATE webhook w SET
             success_count = w.success_count + h.delivered,
             failure_count = w.failure_count + h.failed,
             last_triggered_at = GREATEST(w.last_triggered_at, h.last_attempted_at),
             failing_since = CASE WHEN h.last_success IS NOT NULL THEN h.failing_since ELSE COALESCE(w.failing_since, h.failing_since) END
           FROM (SELECT webhook_id,
                        count(*) FILTER (WHERE status = 'Delivered') AS delivered,
                        count(*) FILTER (WHERE status IN ('Failed', 'Expired')) AS failed,
                        max(attempted_at) AS last_attempted_at,
                        max(last_success) AS last_success,
                        min(attempted_at) FILTER (WHERE attempted AND status <> 'Delivered' AND (last_success IS NULL OR attempted_at > last_success)) AS failing_since
                   FROM scored GROUP BY webhook_id) h
          WHERE w.id = h.webhook_id
       ),
       -- An event nothing in the application reacts to is stored as already relayed and processed: kept as the
       -- record of what happened (and removed with the rest of the outbox), it costs no relay pass, Bull job or
       -- processed mark, which for one event per attempt is a good share of a delivery's cost.
       events AS (
         INSERT INTO outbox_message (id, tenant_id, event_type, aggregate_id, payload, occurred_at, published_at, processed_at)
         SELECT event_id, tenant_id, event_type, id, event_payload, ?::timestamptz,
                CASE WHEN event_relayed THEN NULL ELSE now() END, CASE WHEN event_relayed THEN NULL ELSE now() END
           FROM applied
       )
       SELECT n FROM recorded`,
      [postgresJson(rows), occurredAt],
    ).catch((error: unknown) => {
      throw statementFailure(error, `Recording ${outcomes.length} delivery outcome(s)`);
    });
    return recorded.map(({ n }) => outcomes[n]);
  }
}

/** WebhookSent for a delivered outcome, WebhookDeliveryFailed for any other. */
function outcomeEvent(o: DeliveryOutcome): DomainEvent {
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
