import { EntityManager, RequestContext } from '@mikro-orm/postgresql';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { DomainEventDispatcher } from '../events/domain-event-dispatcher';
import { DOMAIN_EVENTS_QUEUE } from '../queues/queues';
import type { DomainEventJob } from './outbox-relay';

/** Runs the reactions of each relayed event in the worker, each job in its own MikroORM context. */
@Processor(DOMAIN_EVENTS_QUEUE)
export class DomainEventsProcessor {
  constructor(
    private readonly dispatcher: DomainEventDispatcher,
    private readonly em: EntityManager,
  ) {}

  @Process({ concurrency: 20 })
  async handle(job: Job<DomainEventJob>): Promise<void> {
    const { payload, ...envelope } = job.data;
    await RequestContext.create(this.em, () => this.dispatcher.dispatch(envelope, payload));
  }
}
