import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { pgArray } from '../database/pg-array';
import { outboxRelayed } from '../metrics/metrics';
import { DOMAIN_EVENTS_QUEUE, DURABLE_JOB } from '../queues/queues';

/** The Bull job that carries one committed domain event to its reactions. */
export interface DomainEventJob {
  eventId: string;
  eventType: string;
  tenantId: string | null;
  occurredAt: string;
  payload: Record<string, unknown>;
}

interface PendingRow {
  id: string;
  tenant_id: string | null;
  event_type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * Moves committed outbox rows to Bull, in commit order, and marks them published in the same transaction
 * that locked them. Rows are locked with SKIP LOCKED, so several workers share the work without handing the
 * same row twice; if Redis refuses, the transaction rolls back and the rows wait for the next pass. A crash
 * after Bull accepted a batch but before the commit re-sends it: the job id is the event id, and every
 * reaction deduplicates on it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(DOMAIN_EVENTS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Relays what is pending now; returns how many events moved. Exposed for tests and the CLI. */
  async relayOnce(): Promise<number> {
    return this.em.fork().transactional(async (em) => {
      // em.execute runs in this transaction (getConnection().execute would not): the row locks must last until commit.
      const rows: PendingRow[] = await em.execute(
        `SELECT id, tenant_id, event_type, payload, occurred_at FROM outbox_message
          WHERE published_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED`,
        [this.config.outbox.batchSize],
      );
      if (rows.length === 0) return 0;
      await this.queue.addBulk(
        rows.map((row) => ({
          data: {
            eventId: row.id,
            eventType: row.event_type,
            tenantId: row.tenant_id,
            occurredAt: new Date(row.occurred_at).toISOString(),
            payload: row.payload,
          } satisfies DomainEventJob,
          opts: { ...DURABLE_JOB, jobId: row.id },
        })),
      );
      await em.execute(
        'UPDATE outbox_message SET published_at = now(), attempts = attempts + 1 WHERE id = ANY(?::uuid[])',
        [pgArray(rows.map((r) => r.id))],
      );
      for (const row of rows) outboxRelayed.inc({ event_type: row.event_type });
      return rows.length;
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => (this.running = undefined));
    }, delayMs);
  }

  private async pass(): Promise<void> {
    try {
      const moved = await this.relayOnce();
      this.failures = 0;
      // A full batch means more is waiting: go again at once.
      this.schedule(moved === this.config.outbox.batchSize ? 0 : this.config.outbox.pollMs);
    } catch (error) {
      this.failures++;
      const delay = Math.min(30_000, this.config.outbox.pollMs * 2 ** Math.min(this.failures, 10));
      this.logger.error({ error: (error as Error).message, retryInMs: delay }, 'Outbox relay pass failed');
      this.schedule(delay);
    }
  }
}
