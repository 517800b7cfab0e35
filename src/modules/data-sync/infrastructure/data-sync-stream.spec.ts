import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../../../common/config/app-config';
import { CommonError, CommonErrorCode } from '../../../common/errors/domain-error';
import type { ApiKeyVerifier } from '../../api-keys/infrastructure/api-key-verifier';
import { DataSyncJob } from '../domain/data-sync-job.entity';
import { DataSyncStream } from './data-sync-stream';
import type { ProgressUpdate, SyncProgressChannel } from './sync-progress.channel';

const API_KEY = 'ih_test_the-callers-secret-key';
const SCOPES = ['datasync:manage'];
/** What the verifier answers for a key that may still read. */
const ALLOWED = { scopes: ['datasync:manage', 'integration:read'] };

/** A hijacked Fastify reply: what the stream wrote, and whether it ended. */
function fakeReply() {
  const raw = Object.assign(new EventEmitter(), {
    written: [] as string[],
    ended: false,
    writeHead: () => undefined,
    write: (chunk: string) => raw.written.push(chunk) > 0,
    end: () => {
      raw.ended = true;
    },
  });
  return { reply: { hijack: () => undefined, raw } as unknown as FastifyReply, raw };
}

function completedJob(): DataSyncJob {
  const job = DataSyncJob.initiate({ tenantId: 't', integrationId: 'i', syncType: 'Full', direction: 'Import', scheduledAt: new Date(), createdBy: null });
  job.finish({ kind: 'finished' });
  return job;
}

/** Lets the stream's fire-and-forget sends run to their end. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('DataSyncStream', () => {
  const config = { dataSync: { streamPollMs: 60_000 } } as AppConfig;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('logs a job it cannot read (PostgreSQL restarting) and keeps streaming, instead of rejecting where nobody awaits', async () => {
    const job = completedJob();
    const findOne = jest.fn().mockRejectedValue(new Error('Connection terminated unexpectedly'));
    const em = { fork: () => ({ findOne }) } as unknown as EntityManager;
    let update: ((update: ProgressUpdate) => void) | undefined;
    const channel = { listen: (_: string, listener: (update: ProgressUpdate) => void) => ((update = listener), Promise.resolve(() => undefined)) } as unknown as SyncProgressChannel;
    const stream = new DataSyncStream(em, channel, { verify: () => ALLOWED } as unknown as ApiKeyVerifier, config);
    const { reply, raw } = fakeReply();

    // The first send is awaited by serve, the next one by nobody (a Redis message): neither may reject.
    await stream.serve(job, reply, API_KEY, SCOPES);
    update!({} as ProgressUpdate);
    await settled();

    expect(raw.ended).toBe(false);
    expect(raw.written).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(API_KEY);

    // PostgreSQL is back: the next update goes out, and the finished job ends the stream.
    findOne.mockResolvedValue(job);
    update!({} as ProgressUpdate);
    await settled();
    expect(raw.written.join('')).toMatch(/^event: progress\n[\s\S]*event: end\ndata: \{"status":"Completed"\}\n\n$/);
    expect(raw.ended).toBe(true);
  });

  it('does not take a key look-up that failed (PostgreSQL restarting) for a refusal of the key', async () => {
    const job = completedJob();
    const em = { fork: () => ({ findOne: jest.fn().mockResolvedValue(job) }) } as unknown as EntityManager;
    let update: ((update: ProgressUpdate) => void) | undefined;
    const channel = { listen: (_: string, listener: (update: ProgressUpdate) => void) => ((update = listener), Promise.resolve(() => undefined)) } as unknown as SyncProgressChannel;
    const verify = jest.fn().mockRejectedValueOnce(new Error('Connection terminated unexpectedly')).mockReturnValue(ALLOWED);
    const { reply, raw } = fakeReply();

    await new DataSyncStream(em, channel, { verify } as unknown as ApiKeyVerifier, config).serve(job, reply, API_KEY, SCOPES);
    expect(raw.written).toEqual([]);
    expect(raw.ended).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Connection terminated unexpectedly'));

    update!({} as ProgressUpdate);
    await settled();
    expect(raw.written.join('')).toContain('event: end\ndata: {"status":"Completed"}');
    expect(raw.ended).toBe(true);
  });

  it('still ends the stream when the key is refused', async () => {
    const em = { fork: () => ({ findOne: jest.fn() }) } as unknown as EntityManager;
    const channel = { listen: () => Promise.resolve(() => undefined) } as unknown as SyncProgressChannel;
    const verify = () => Promise.reject(new CommonError(CommonErrorCode.InvalidApiKey, 'The API key is invalid or revoked'));
    const { reply, raw } = fakeReply();

    await new DataSyncStream(em, channel, { verify } as unknown as ApiKeyVerifier, config).serve(completedJob(), reply, API_KEY, SCOPES);

    expect(raw.written).toEqual(['event: end\ndata: {"reason":"The API key is invalid or revoked"}\n\n']);
    expect(raw.ended).toBe(true);
  });

  it("ends the stream when the key's scopes were narrowed below the route's (BR-AK-06)", async () => {
    const findOne = jest.fn();
    const em = { fork: () => ({ findOne }) } as unknown as EntityManager;
    const channel = { listen: () => Promise.resolve(() => undefined) } as unknown as SyncProgressChannel;
    const { reply, raw } = fakeReply();

    await new DataSyncStream(em, channel, { verify: () => ({ scopes: ['integration:read'] }) } as unknown as ApiKeyVerifier, config).serve(completedJob(), reply, API_KEY, SCOPES);

    expect(raw.written).toEqual(['event: end\ndata: {"reason":"The API key lacks the scope datasync:manage"}\n\n']);
    expect(raw.ended).toBe(true);
    expect(findOne).not.toHaveBeenCalled();
  });

  it('ends the stream, leaving no poll timer behind, when it cannot subscribe to progress (Redis down)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const findOne = jest.fn();
    const em = { fork: () => ({ findOne }) } as unknown as EntityManager;
    const channel = { listen: () => Promise.reject(new Error('Connection is closed.')) } as unknown as SyncProgressChannel;
    const { reply, raw } = fakeReply();

    await new DataSyncStream(em, channel, { verify: () => ALLOWED } as unknown as ApiKeyVerifier, config).serve(completedJob(), reply, API_KEY, SCOPES);

    expect(jest.getTimerCount()).toBe(0);
    expect(raw.ended).toBe(true);
    expect(findOne).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Connection is closed.'));
  });
});
