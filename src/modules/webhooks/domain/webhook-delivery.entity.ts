import { createHash } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { DeliveryStatus, DUE_STATUSES, UNDELIVERED_FINAL_STATUSES } from './delivery-policy';
import { WebhookError, WebhookErrorCode } from './webhook.errors';

/**
 * One event on its way to one webhook (spec §2.4), with the body exactly as signed and sent. The worker
 * writes attempts and outcomes with set-based SQL in batches (the hot path); the rules for what an attempt
 * leads to are in delivery-policy.ts, and those for replaying a delivery are here.
 */
@Entity({ tableName: 'webhook_delivery' })
export class WebhookDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  webhookId: string;

  /** The event's id: the `webhook-id` header, the same on every retry and replay, for receivers to deduplicate. */
  @Property({ type: 'uuid' })
  eventId: string;

  @Property({ type: 'string', length: 100 })
  eventType: string;

  @Property({ type: 'text', lazy: true })
  payload: string;

  @Property({ type: 'string', length: 16 })
  status: DeliveryStatus;

  @Property({ type: 'integer' })
  attemptCount: number = 0;

  /** Attempts since the delivery was last (re)queued: what maxRetries bounds. */
  @Property({ type: 'integer' })
  attemptsInRound: number = 0;

  @Property({ type: 'integer', nullable: true })
  httpStatusCode: number | null = null;

  @Property({ type: 'text', nullable: true })
  responseBody: string | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  @Property({ type: 'Date' })
  scheduledAt: Date;

  @Property({ type: 'Date' })
  expiresAt: Date;

  @Property({ type: 'Date', nullable: true })
  lastAttemptAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  deliveredAt: Date | null = null;

  @Property({ type: 'Date', nullable: true })
  nextRetryAt: Date | null = null;

  /** The Bull job carrying this delivery's first attempt with others of its fan-out, until that attempt is recorded. */
  @Property({ type: 'text', nullable: true, hidden: true })
  batchJobId: string | null = null;

  static schedule(props: { tenantId: string; webhookId: string; eventId: string; eventType: string; payload: string }, expirySeconds: number, now = new Date()): WebhookDelivery {
    const delivery = new WebhookDelivery();
    Object.assign(delivery, props);
    delivery.id = deliveryIdFor(props.eventId, props.webhookId);
    delivery.status = 'Pending';
    delivery.scheduledAt = now;
    delivery.nextRetryAt = now;
    delivery.expiresAt = new Date(now.getTime() + expirySeconds * 1000);
    return delivery;
  }

  /**
   * Sends it again, as a new round: a fresh retry budget and a fresh expiry. Any delivery that is not already
   * waiting for an attempt can be replayed, a delivered one included (a receiver that lost it asks for it again).
   */
  replay(expirySeconds: number, now = new Date()): void {
    if (DUE_STATUSES.includes(this.status)) {
      throw new WebhookError(WebhookErrorCode.DeliveryInProgress, 'The delivery is already queued for an attempt', { nextRetryAt: this.nextRetryAt?.toISOString() });
    }
    this.status = 'Pending';
    this.attemptsInRound = 0;
    this.nextRetryAt = now;
    this.expiresAt = new Date(now.getTime() + expirySeconds * 1000);
  }

  static isRecoverable(status: DeliveryStatus): boolean {
    return UNDELIVERED_FINAL_STATUSES.includes(status);
  }
}

/**
 * A delivery's id follows from its event and webhook, so fanning the same event out again (a relay or reaction
 * retried after a crash) finds the rows and jobs it made the first time instead of making new ones.
 */
export function deliveryIdFor(eventId: string, webhookId: string): string {
  const hex = createHash('sha256').update(`${eventId}/${webhookId}`).digest('hex');
  // RFC 4122 layout, version 8 (custom): a valid uuid for the column and the API.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
