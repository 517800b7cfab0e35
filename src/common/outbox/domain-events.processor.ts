import { Logger } from '@nestjs/common';
import { EntityManager, RequestContext } from '@mikro-orm/postgresql';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { DomainEventDispatcher } from '../events/domain-event-dispatcher';
import { queryBound } from '../database/bound-query';
import { pgArray } from '../database/pg-array';
import { DOMAIN_EVENTS_QUEUE } from '../queues/queues';
import { addDomainEventJobs, DomainEventJob, RelayedEvent } from './outbox-relay';

/**
 * Runs the reactions of each relayed event in the worker, the events of a job at once (so batching reactions
 * such as the webhook fan-out see them together), each event in its own MikroORM context. When some events of
 * a job fail, they go back to the queue as jobs of one and the job completes: Bull then retries only them, with
 * backoff, and the events that succeeded are not run again. A job of one event that fails is retried as it is.
 * Events whose reactions all succeeded are marked processed, in one statement per job; the others stay
 * unprocessed, so the outbox recovery queues them again should Redis lose their job.
 */
@Processor(DOMAIN_EVENTS_QUEUE)
export class DomainEventsProcessor {
  private readonly logger = new Logger(DomainEventsProcessor.name);

  constructor(
    private readonly dispatcher: DomainEventDispatcher,
    private readonly em: EntityManager,
    @InjectQueue(DOMAIN_EVENTS_QUEUE) private readonly queue: Queue<DomainEventJob>,
  ) {}

  @Process({ concurrency: 20 })
  async handle(job: Job<DomainEventJob | RelayedEvent>): Promise<void> {
    // A job queued by a relay from before events were grouped carries one event as its data.
    const events = 'events' in job.data ? job.data.events : [job.data];
    if (events.length === 1) {
      await this.dispatch(events[0]);
      return this.markProcessed(events);
    }
    const results = await Promise.allSettled(events.map((event) => this.dispatch(event)));
    const failed = events.filter((_, index) => results[index].status === 'rejected');
    await this.markProcessed(events.filter((_, index) => results[index].status === 'fulfilled'));
    if (!failed.length) return;
    const reasons = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
    this.logger.warn({ events: failed.map((event) => event.eventId), reasons }, 'Reactions failed; their events are queued again one per job');
    await addDomainEventJobs(this.queue, failed.map((event) => [event]));
  }

  /**
   * Before the job completes (and Bull removes it), so the recovery never finds an event without its job and
   * without its mark. A second run of the event keeps the first time.
   */
  private async markProcessed(events: ReadonlyArray<RelayedEvent>): Promise<void> {
    if (!events.length) return;
    const ids = pgArray(events.map((event) => event.eventId));
    await queryBound(this.em.getConnection(), 'UPDATE outbox_message SET processed_at = now() WHERE id = ANY(?::uuid[]) AND processed_at IS NULL', [ids]);
  }

  private dispatch({ payload, ...envelope }: RelayedEvent): Promise<void> {
    return RequestContext.create(this.em, () => this.dispatcher.dispatch(envelope, payload));
  }
}
