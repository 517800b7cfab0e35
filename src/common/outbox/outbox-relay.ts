import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectQueue } from '@nestjs/bull';
import type { Queue } from 'bull';
import { chunk } from '../batching/chunk';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { queryBound } from '../database/bound-query';
import { pgArray } from '../database/pg-array';
import { loggableError } from '../database/statement-failure';
import { eventClassOf } from '../events/domain-event';
import { DomainEventDispatcher } from '../events/domain-event-dispatcher';
import { outboxRelayed, outboxRelayFailures } from '../metrics/metrics';
import { DOMAIN_EVENTS_QUEUE, DURABLE_JOB, groupJobId } from '../queues/queues';

/**
 * The metric label of events tenants publish: their type names are theirs to invent, without limit, and a series
 * per name would grow every worker's metrics for good. This service's own events keep their names.
 */
const APPLICATION_EVENTS_LABEL = 'application';

function metricLabelOf(eventType: string): string {
  return eventClassOf(eventType) ? eventType : APPLICATION_EVENTS_LABEL;
}

/** One committed event as the relay hands it on: its envelope and its JSON. */
export interface RelayedEvent {
  eventId: string;
  eventType: string;
  tenantId: string | null;
  occurredAt: string;
  payload: Record<string, unknown>;
}

/**
 * The Bull job that carries committed events to their reactions: several per job, because Bull's own work per
 * job (moving it through its lists, a Lua script each way) costs more than most reactions, and a busy service
 * commits thousands of events a second (every webhook delivery is one).
 */
export interface DomainEventJob {
  events: RelayedEvent[];
}

/**
 * The id of the job that carries these events, which follows from all of them: Bull ignores a job whose id it
 * already holds, so a pass repeated after a crash that finds the same events queues nothing twice, and one that
 * finds other events (a transaction with an earlier `seq` committed since) gets a job of its own and loses none.
 */
export function domainEventJobId(events: ReadonlyArray<RelayedEvent>): string {
  if (events.length === 1) return events[0].eventId;
  return groupJobId('events', events.map((event) => event.eventId));
}

interface PendingRow {
  id: string;
  tenant_id: string | null;
  event_type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * Moves committed outbox rows to Bull, in `seq` order, and marks them published, naming each row's job, in the
 * same transaction that locked them. Rows are locked with SKIP LOCKED, so several workers share the work without
 * handing the same row twice; if Redis refuses, the transaction rolls back and the rows wait for the next pass.
 * Rows go out `eventsPerJob` to a job. A crash after Bull accepted a batch but before the commit re-sends it: the job ids
 * follow from the events they carry, and every reaction deduplicates on the event id anyway. Published is not
 * processed: should Redis lose a job before its reactions ran, OutboxRecovery hands its events back to this relay.
 *
 * Events whose every reaction can run in the relay (OUTBOX_REACT_IN_RELAY; the webhook fan-out, the only reaction of
 * application events and of most domain events) skip Bull: the relay runs those reactions over the whole batch in
 * its own transaction and marks the rows published and processed in the same commit, so a committed event costs one
 * pass instead of a job, a second transaction for its processed mark, and its payload's round trip through Redis.
 * Should those reactions fail, they are rolled back to a savepoint and the events go through Bull after all, where
 * one event that keeps failing is retried on its own instead of holding up the outbox.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  /**
   * Set when what followed a pass's commit failed (queueing its new deliveries: Redis refused). Until a pass hands
   * events to Bull again, every event goes that way, inside the transaction: while Redis refuses, passes roll back
   * and back off, and the events wait in the outbox to be relayed in batches once it answers, rather than each pass
   * committing deliveries that only the webhook sweep, a few thousand a minute, would queue.
   */
  private queueingFailed = false;

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(DOMAIN_EVENTS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    /** Absent from a relay built by hand (tests): every event then goes through Bull. */
    @Optional() private readonly dispatcher?: DomainEventDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /**
   * Before the queues close (their modules shut down first): a pass that commits must still be able to queue what
   * it committed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Relays what is pending now; returns how many events moved. Exposed for tests and the CLI. */
  async relayOnce(): Promise<number> {
    const afterCommit: Array<() => Promise<void>> = [];
    const moved = await this.em.fork().transactional(async (em) => {
      // Run through `em`, so in this transaction (the connection would not be): the row locks must last until commit.
      const rows = await queryBound<PendingRow>(
        em,
        `SELECT id, tenant_id, event_type, payload, occurred_at FROM outbox_message
          WHERE published_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE SKIP LOCKED`,
        [this.config.outbox.batchSize],
      );
      if (rows.length === 0) return 0;
      const events = rows.map(
        (row): RelayedEvent => ({
          eventId: row.id,
          eventType: row.event_type,
          tenantId: row.tenant_id,
          occurredAt: new Date(row.occurred_at).toISOString(),
          payload: row.payload,
        }),
      );
      const reactsInRelay = this.config.outbox.reactInRelay && !this.queueingFailed && this.dispatcher;
      const inRelay = reactsInRelay ? events.filter((event) => this.dispatcher!.handledInRelay(event.eventType)) : [];
      const reactedHere = new Set(inRelay);
      const viaBull = events.filter((event) => !reactedHere.has(event));
      // Queued first, so that what the relay reactions lock (a webhook row, against its deletion) is held only for the
      // last statements before the commit.
      if (viaBull.length) await this.queueForReactions(em, viaBull);
      if (inRelay.length && !(await this.reactInRelay(em, inRelay, afterCommit))) await this.queueForReactions(em, inRelay);
      this.queueingFailed = false;
      return rows.length;
    });
    const failed = await this.runAfterCommit(afterCommit);
    if (failed) throw failed;
    return moved;
  }

  /**
   * Runs the relay reactions of `events` in a savepoint of the pass's transaction, adding what they leave for after
   * the commit to `afterCommit`, and marks the rows published and processed. False, with nothing of theirs kept, when
   * one failed, or waited over a second for a lock (a webhook being deleted): the events then go through Bull, where
   * such an event waits, or is retried, on its own instead of holding up the outbox.
   */
  private async reactInRelay(em: EntityManager, events: RelayedEvent[], afterCommit: Array<() => Promise<void>>): Promise<boolean> {
    let steps: Array<() => Promise<void>>;
    try {
      steps = await em.transactional(async (savepoint) => {
        await queryBound(savepoint, "SELECT set_config('lock_timeout', '1s', true)", []);
        return this.dispatcher!.reactInRelay(
          savepoint,
          events.map(({ payload, ...envelope }) => ({ envelope, payload })),
        );
      });
    } catch (error) {
      outboxRelayFailures.inc({ stage: 'reaction' });
      this.logger.warn({ error: (loggableError(error) as Error).message, events: events.length }, 'Reactions in the relay failed; their events go through Bull');
      return false;
    }
    // Outside the fallback: this statement runs in the pass's own transaction, which a failure here has aborted, so
    // the pass itself fails and is tried again.
    // `published_at IS NULL` lets PostgreSQL find the rows in the small index of pending rows (see queueForReactions).
    await queryBound(
      em,
      'UPDATE outbox_message SET published_at = now(), processed_at = now(), attempts = attempts + 1 WHERE id = ANY(?::uuid[]) AND published_at IS NULL',
      [pgArray(events.map((event) => event.eventId))],
    );
    afterCommit.push(...steps);
    for (const event of events) outboxRelayed.inc({ event_type: metricLabelOf(event.eventType), path: 'relay' });
    return true;
  }

  /** Runs each step; returns the first failure, after logging every one. */
  private async runAfterCommit(steps: Array<() => Promise<void>>): Promise<Error | undefined> {
    let first: Error | undefined;
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        outboxRelayFailures.inc({ stage: 'after_commit' });
        this.logger.warn({ error: (error as Error).message }, 'What follows a relay pass failed; the webhook sweep queues its deliveries, and events go through Bull until Redis answers');
        this.queueingFailed = true;
        first ??= error as Error;
      }
    }
    return first;
  }

  /** Hands events to Bull, `eventsPerJob` to a job, and marks their rows published, each naming its job. */
  private async queueForReactions(em: EntityManager, events: RelayedEvent[]): Promise<void> {
    const groups = chunk(events, this.config.outbox.eventsPerJob);
    const jobIds = await addDomainEventJobs(this.queue, groups);
    // Each row names its job, so the recovery can tell an event still waiting in Redis from one Redis lost.
    // `published_at IS NULL` holds for every row locked above and lets PostgreSQL find them in the small index of
    // pending rows; joined on the id alone, it hashed the whole table (a week of events) on every pass.
    await queryBound(
      em,
      `UPDATE outbox_message m SET published_at = now(), attempts = attempts + 1, relay_job_id = r.job_id
         FROM unnest(?::uuid[], ?::text[]) AS r(id, job_id) WHERE m.id = r.id AND m.published_at IS NULL`,
      [pgArray(groups.flat().map((event) => event.eventId)), pgArray(groups.flatMap((group, index) => group.map(() => jobIds[index])))],
    );
    for (const event of events) outboxRelayed.inc({ event_type: metricLabelOf(event.eventType), path: 'bull' });
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
      this.logger.error({ error: (loggableError(error) as Error).message, retryInMs: delay }, 'Outbox relay pass failed');
      this.schedule(delay);
    }
  }
}

/** Queues one durable job per group of events; returns the jobs' ids, in the groups' order. */
export async function addDomainEventJobs(queue: Queue<DomainEventJob>, groups: RelayedEvent[][]): Promise<string[]> {
  const jobIds = groups.map(domainEventJobId);
  await queue.addBulk(groups.map((events, index) => ({ data: { events }, opts: { ...DURABLE_JOB, jobId: jobIds[index] } })));
  return jobIds;
}
