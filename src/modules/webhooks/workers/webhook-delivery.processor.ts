import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { Semaphore } from 'async-mutex';
import { LRUCache } from 'lru-cache';
import { MicroBatcher } from '../../../common/batching/micro-batcher';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { SECRET_VAULT, SecretVault } from '../../../common/crypto/secret-vault';
import { queryBound } from '../../../common/database/bound-query';
import { pgArray } from '../../../common/database/pg-array';
import { decideAfterAttempt, DUE_STATUSES, DeliveryStatus } from '../domain/delivery-policy';
import { busyWebhookDelayMs, DeliveryAttemptRef, DeliveryJob, enqueueDeliveries, WebhookBusyError, WEBHOOK_DELIVERIES_QUEUE } from '../infrastructure/delivery-queue';
import { DeliveryOutcome, DeliveryOutcomeRecorder } from '../infrastructure/delivery-outcome-recorder';
import { PerWebhookLimiter } from '../infrastructure/per-webhook-limiter';
import { webhookAttemptDuration } from '../infrastructure/webhook-metrics';
import { WebhookSender } from '../infrastructure/webhook-sender';

/** A delivery with what sending it needs from its webhook, read in one query for many jobs. */
interface DueDelivery {
  id: string;
  tenant_id: string;
  webhook_id: string;
  event_id: string;
  payload: string;
  status: DeliveryStatus;
  attempt_count: number;
  attempts_in_round: number;
  expires_at: Date;
  url: string;
  is_active: boolean;
  max_retries: number;
  backoff_multiplier: number;
  timeout_seconds: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

const LOAD_BATCH = 200;
const LOAD_WAIT_MS = 2;
/** How long a delivery waits for one of its webhook's slots before it goes back to the queue. */
const WEBHOOK_SLOT_WAIT_MS = 1000;

/**
 * UC-WH-02 steps 4–8 and UC-WH-03: takes delivery jobs, sends each attempt's signed request, at most
 * WEBHOOK_IN_FLIGHT_PER_WORKER at once and WEBHOOK_CONCURRENCY_PER_WEBHOOK per webhook, and records the outcome;
 * retries are new delayed jobs (delivery-policy.ts decides when). A job completes only once its outcomes are
 * committed, so a worker that stops mid-request leaves the job to Bull's stalled-job recovery or, failing that,
 * to the sweep. Attempts that no longer match their delivery (already attempted, delivered, replayed) are
 * skipped: at-least-once delivery, without duplicates from duplicate jobs.
 */
@Injectable()
export class WebhookDeliveryProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private readonly loader: MicroBatcher<string, DueDelivery | undefined>;
  private readonly limiter: PerWebhookLimiter;
  /** Requests in flight in this worker, whatever jobs they came in. */
  private readonly requests: Semaphore;
  /**
   * Jobs of many attempts started at once: enough to keep twice WEBHOOK_IN_FLIGHT_PER_WORKER attempts under way.
   * Bull hands the worker as many jobs as requests may be in flight; were all of them batches, a hundred jobs of
   * twenty would queue two thousand attempts in this process, longer than a webhook's slots turn over in the
   * second an attempt waits for one, and they would go back to the queue for nothing.
   */
  private readonly batchJobs: Semaphore;
  /** Set when the worker shuts down: attempts not yet started go back to the queue instead of holding it up. */
  private stopping = false;
  /** Opened secrets by webhook, keyed by the sealed values so a rotation is seen at once. */
  private readonly secrets = new LRUCache<string, { sealed: string; secrets: string[] }>({ max: 10_000 });

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(WEBHOOK_DELIVERIES_QUEUE) private readonly queue: Queue<DeliveryJob>,
    private readonly sender: WebhookSender,
    private readonly recorder: DeliveryOutcomeRecorder,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loader = new MicroBatcher((ids) => this.load(ids), LOAD_BATCH, LOAD_WAIT_MS);
    this.limiter = new PerWebhookLimiter(config.webhooks.concurrencyPerWebhook, WEBHOOK_SLOT_WAIT_MS);
    this.requests = new Semaphore(config.webhooks.inFlightPerWorker);
    this.batchJobs = new Semaphore(Math.max(1, Math.ceil((2 * config.webhooks.inFlightPerWorker) / config.webhooks.deliveriesPerJob)));
  }

  onApplicationBootstrap(): void {
    // Registered here rather than with @Process: the concurrency is configuration. As many jobs run at once as
    // requests may be in flight, so a job of one attempt never waits behind a job of many for a Bull slot; the
    // semaphore keeps the requests themselves, and the payloads loaded for them, to that number. An attempt waits
    // for its webhook's slot before it queues for the worker's (see deliver), so that queue holds only attempts
    // that can be sent, at most WEBHOOK_CONCURRENCY_PER_WEBHOOK of each webhook.
    void this.queue.process(this.config.webhooks.inFlightPerWorker, (job: Job<DeliveryJob>) => this.run(job.data));
  }

  /**
   * Stops taking jobs, lets the requests in flight finish, sends the attempts not yet started back to the queue,
   * and writes the outcomes before the connections close.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.queue.pause(true).catch((error: Error) => this.logger.warn(`Pausing the delivery queue: ${error.message}`));
    await this.recorder.drain();
  }

  /**
   * A job of one attempt whose webhook is busy fails, and Bull tries it again in a second or two. In a job of
   * many, such attempts go back to the queue as jobs of their own and the job completes; any other failure fails
   * the whole job, and when Bull runs it again the attempts already recorded are skipped.
   */
  async run(job: DeliveryJob): Promise<void> {
    if (!('deliveries' in job)) return this.deliver(job);
    return this.batchJobs.runExclusive(() => this.runBatch(job.deliveries));
  }

  private async runBatch(deliveries: Array<Required<DeliveryAttemptRef>>): Promise<void> {
    const results = await Promise.allSettled(deliveries.map((attempt) => this.deliver(attempt)));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected' && !(result.reason instanceof WebhookBusyError));
    if (failure) throw failure.reason;
    const busy = deliveries.filter((_, index) => results[index].status === 'rejected');
    await enqueueDeliveries(
      this.queue,
      busy.map((attempt) => ({ id: attempt.deliveryId, webhookId: attempt.webhookId, attemptCount: attempt.attemptCount, delayMs: busyWebhookDelayMs() })),
    );
  }

  /**
   * Takes one of the webhook's slots, then one of the worker's, sends, and records the outcome. Waiting for a busy
   * webhook thus holds none of the worker's slots that other webhooks' attempts need. A job queued before
   * attempts named their webhook learns it from the delivery's row, so it takes its webhook's slot after loading.
   */
  private async deliver(attempt: DeliveryAttemptRef): Promise<void> {
    const release = attempt.webhookId ? await this.webhookSlot(attempt.webhookId) : undefined;
    let outcome: DeliveryOutcome | undefined;
    try {
      outcome = await this.requests.runExclusive(() => this.attempt(attempt, release !== undefined));
    } finally {
      release?.();
    }
    if (outcome) await this.recorder.record(outcome);
  }

  private async webhookSlot(webhookId: string): Promise<() => void> {
    const release = await this.limiter.acquire(webhookId);
    if (!release) throw new WebhookBusyError();
    return release;
  }

  /** Sends one attempt, or decides without sending; undefined when the attempt is stale. */
  private async attempt({ deliveryId, attemptCount }: DeliveryAttemptRef, holdsWebhookSlot: boolean): Promise<DeliveryOutcome | undefined> {
    if (this.stopping) throw new WebhookBusyError('The worker is stopping; the attempt goes back to the queue');
    const delivery = await this.loader.add(deliveryId);
    if (!delivery || delivery.attempt_count !== attemptCount || !DUE_STATUSES.includes(delivery.status)) return;
    const base = {
      deliveryId,
      webhookId: delivery.webhook_id,
      tenantId: delivery.tenant_id,
      previousAttemptCount: delivery.attempt_count,
      attemptsInRound: delivery.attempts_in_round,
    };
    const now = new Date();
    if (!delivery.is_active) {
      return { ...base, status: 'Failed', attempt: null, errorMessage: 'The webhook is disabled', nextRetryAt: null };
    }
    if (now >= new Date(delivery.expires_at)) {
      return { ...base, status: 'Expired', attempt: null, errorMessage: 'Not delivered within 24 hours of scheduling', nextRetryAt: null };
    }

    const release = holdsWebhookSlot ? undefined : await this.webhookSlot(delivery.webhook_id);
    try {
      const result = await this.sender.send({
        url: delivery.url,
        secrets: this.signingSecrets(delivery, now),
        messageId: delivery.event_id,
        body: delivery.payload,
        timeoutSeconds: delivery.timeout_seconds,
      });
      webhookAttemptDuration.observe({ result: result.statusCode === null ? 'error' : String(Math.floor(result.statusCode / 100)) + 'xx' }, result.durationMs / 1000);
      const attemptsInRound = delivery.attempts_in_round + 1;
      const decision = decideAfterAttempt(
        result,
        attemptsInRound,
        new Date(delivery.expires_at),
        { maxRetries: delivery.max_retries, backoffMultiplier: delivery.backoff_multiplier, baseDelayMs: this.config.webhooks.retryBaseDelayMs },
        new Date(),
      );
      return {
        ...base,
        attemptsInRound,
        status: decision.status,
        attempt: result,
        errorMessage: decision.status === 'Delivered' ? null : [result.error, 'reason' in decision ? decision.reason : null].filter(Boolean).join('. '),
        nextRetryAt: decision.status === 'Retrying' ? decision.nextRetryAt : null,
      };
    } finally {
      release?.();
    }
  }

  private signingSecrets(delivery: DueDelivery, now: Date): string[] {
    const sealed = `${delivery.secret}|${delivery.previous_secret ?? ''}`;
    let entry = this.secrets.get(delivery.webhook_id);
    if (entry?.sealed !== sealed) {
      const context = `webhook:${delivery.webhook_id}`;
      const secrets = [this.vault.open(delivery.secret, context)];
      if (delivery.previous_secret) secrets.push(this.vault.open(delivery.previous_secret, context));
      entry = { sealed, secrets };
      this.secrets.set(delivery.webhook_id, entry);
    }
    const previousValid = delivery.previous_secret_expires_at && new Date(delivery.previous_secret_expires_at) > now;
    return previousValid ? entry.secrets : entry.secrets.slice(0, 1);
  }

  private async load(ids: string[]): Promise<Array<DueDelivery | undefined>> {
    const rows = await queryBound<DueDelivery>(
      this.em.getConnection(),
      `SELECT d.id, d.tenant_id, d.webhook_id, d.event_id, d.payload, d.status, d.attempt_count, d.attempts_in_round, d.expires_at,
              w.url, w.is_active, w.max_retries, w.backoff_multiplier, w.timeout_seconds, w.secret, w.previous_secret, w.previous_secret_expires_at
         FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
        WHERE d.id = ANY(?::uuid[])`,
      [pgArray([...new Set(ids)])],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }
}
