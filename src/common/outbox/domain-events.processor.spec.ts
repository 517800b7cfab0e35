import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job, Queue } from 'bull';
import type { DomainEventDispatcher } from '../events/domain-event-dispatcher';
import { DomainEventsProcessor } from './domain-events.processor';
import { domainEventJobId, type DomainEventJob, type RelayedEvent } from './outbox-relay';

const event = (eventId: string): RelayedEvent => ({ eventId, eventType: 'Test', tenantId: null, occurredAt: new Date(0).toISOString(), payload: {} });
const jobOf = (...ids: string[]) => ({ data: { events: ids.map(event) } }) as Job<DomainEventJob>;

describe('DomainEventsProcessor', () => {
  let dispatched: string[];
  /** The ids of each statement that marked events processed. */
  let marked: string[][];
  let requeued: Array<{ data: DomainEventJob; opts: { jobId?: string } }>;
  let processor: DomainEventsProcessor;

  beforeEach(() => {
    dispatched = [];
    requeued = [];
    marked = [];
    const knex = {
      raw: async (_sql: string, [ids]: [string]) => {
        marked.push(ids.slice(1, -1).split(','));
        return { rows: [] };
      },
    };
    const connection = { getKnex: () => knex };
    const em = { name: 'default', fork: () => ({ name: 'default' }), getConnection: () => connection } as unknown as EntityManager;
    const dispatcher = {
      dispatch: async (envelope: { eventId: string }) => {
        dispatched.push(envelope.eventId);
        if (envelope.eventId.startsWith('bad')) throw new Error(`reaction to ${envelope.eventId} failed`);
      },
    } as unknown as DomainEventDispatcher;
    const queue = { addBulk: async (jobs: typeof requeued) => void requeued.push(...jobs) } as unknown as Queue<DomainEventJob>;
    processor = new DomainEventsProcessor(dispatcher, em, queue);
  });

  it('runs every event of a job, then marks them processed in one statement', async () => {
    await processor.handle(jobOf('a', 'b', 'c'));
    expect(dispatched.sort()).toEqual(['a', 'b', 'c']);
    expect(requeued).toEqual([]);
    expect(marked).toEqual([['a', 'b', 'c']]);
  });

  it('completes a job whose events partly failed, queueing only the failed ones again, one per job under its own id', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await processor.handle(jobOf('a', 'bad-1', 'b', 'bad-2'));
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ events: ['bad-1', 'bad-2'] }), expect.any(String));
    warn.mockRestore();
    expect(requeued.map((job) => job.data.events.map((e) => e.eventId))).toEqual([['bad-1'], ['bad-2']]);
    expect(requeued.map((job) => job.opts.jobId)).toEqual(['bad-1', 'bad-2']);
    expect(marked).toEqual([['a', 'b']]);
  });

  it('still runs a job queued before events were grouped, which carries its one event as its data', async () => {
    await processor.handle({ data: event('legacy') } as unknown as Job<DomainEventJob>);
    expect(dispatched).toEqual(['legacy']);
    expect(marked).toEqual([['legacy']]);
  });

  it('fails a job of one event whose reaction failed, so Bull retries it with backoff', async () => {
    await expect(processor.handle(jobOf('bad-1'))).rejects.toThrow('reaction to bad-1 failed');
    expect(requeued).toEqual([]);
    expect(marked).toEqual([]);
  });
});

describe('domainEventJobId', () => {
  it('follows from every event a job carries, so a re-sent pass that found other events is not mistaken for the first', () => {
    const first = domainEventJobId(['e1', 'e2', 'e4'].map(event));
    expect(domainEventJobId(['e1', 'e2', 'e4'].map(event))).toBe(first);
    expect(domainEventJobId(['e1', 'e2', 'e3'].map(event))).not.toBe(first);
    expect(domainEventJobId([event('e1')])).toBe('e1');
    expect(first).not.toContain(':');
  });
});
