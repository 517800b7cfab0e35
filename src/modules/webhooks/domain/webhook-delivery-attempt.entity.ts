import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One HTTP attempt of a delivery (§12.2, §17.1: every delivery logged), written in batches by the worker. */
@Entity({ tableName: 'webhook_delivery_attempt' })
export class WebhookDeliveryAttempt {
  @PrimaryKey({ type: 'bigint' })
  id: string;

  /** The delivery's tenant, so that every read of attempts filters by the caller's tenant. */
  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  deliveryId: string;

  @Property({ type: 'uuid' })
  webhookId: string;

  @Property({ type: 'integer' })
  attemptNumber: number;

  @Property({ type: 'Date' })
  attemptedAt: Date;

  @Property({ type: 'integer' })
  durationMs: number;

  @Property({ type: 'integer', nullable: true })
  statusCode: number | null;

  /** The receiver's answer, cut at 4 KB. */
  @Property({ type: 'text', nullable: true })
  responseBody: string | null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null;

  @Property({ type: 'boolean' })
  succeeded: boolean;
}
