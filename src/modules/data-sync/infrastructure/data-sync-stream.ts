import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import { assertHoldsScopes } from '../../../common/auth/scopes';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { CommonError } from '../../../common/errors/domain-error';
import { DataSyncJob } from '../domain/data-sync-job.entity';
import { FINISHED_STATUSES, SyncStatus } from '../domain/sync-types';
import { DataSyncDto } from '../http/dto/data-sync.dto';
import { ApiKeyVerifier } from '../../api-keys/infrastructure/api-key-verifier';
import { SyncProgressChannel } from './sync-progress.channel';

/**
 * GET /api/datasyncs/{id}/stream (UC-DS-03 step 5): Server-Sent Events with the job's state (`event: progress`,
 * data as GET /{id} answers) on every committed batch, until the job ends (`event: end`). Updates come through
 * Redis pub/sub, so any API replica serves any job; the job is also re-read every DATA_SYNC_STREAM_POLL_MS, so
 * a missed message only delays an update. The caller's key is checked again before every event (from the
 * verifier's cache, which revocation and updates clear on every replica): a stream outlives its request, and a
 * revoked or expired key, or one whose scopes were narrowed below the route's, must not go on reading (UC-AK-02
 * step 6, BR-AK-06). Such a stream ends with `event: end` and the reason.
 *
 * When the process shuts down, open streams end without `end`, as when their connection drops, so an EventSource
 * reconnects (to another replica): the HTTP server waits for every connection to close, and a stream of a job
 * scheduled days ahead would hold the shutdown, and the usage flush and queue closing after it, until killed.
 */
@Injectable()
export class DataSyncStream implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DataSyncStream.name);
  /** How to end each open stream. */
  private readonly open = new Set<() => void>();

  constructor(
    private readonly em: EntityManager,
    private readonly channel: SyncProgressChannel,
    private readonly keys: ApiKeyVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async serve(job: DataSyncJob, reply: FastifyReply, apiKey: string, requiredScopes: readonly string[]): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let closed = false;
    let sending = false;
    // Started once the subscription holds, so that a failed one leaves no timer behind.
    let poll: NodeJS.Timeout | undefined = undefined;
    let unlisten: (() => void) | undefined;
    const stop = () => {
      if (closed) return;
      closed = true;
      this.open.delete(stop);
      clearInterval(poll);
      unlisten?.();
      raw.end();
    };
    this.open.add(stop);
    // Sends run on a timer and on Redis messages, where nobody awaits them: a failure is logged, never thrown
    // (an unhandled rejection ends the process), and the next poll or update tries again.
    const send = async () => {
      if (closed || sending) return;
      sending = true;
      try {
        const refusal = await this.refusalOf(apiKey, requiredScopes);
        if (refusal && !closed) {
          raw.write(`event: end\ndata: ${JSON.stringify({ reason: refusal })}\n\n`);
          stop();
          return;
        }
        const current = await this.em.fork().findOne(DataSyncJob, { id: job.id });
        if (!current || closed) return;
        raw.write(`event: progress\ndata: ${JSON.stringify(DataSyncDto.from(current))}\n\n`);
        if (FINISHED_STATUSES.includes(current.status as SyncStatus)) {
          raw.write(`event: end\ndata: ${JSON.stringify({ status: current.status })}\n\n`);
          stop();
        }
      } catch (error) {
        this.logger.warn(`Streaming the progress of data sync ${job.id}: ${(error as Error).message}`);
      } finally {
        sending = false;
      }
    };
    raw.on('close', stop);
    try {
      unlisten = await this.channel.listen(job.id, () => void send());
    } catch (error) {
      // Without Redis no update would come: the stream ends without `end`, so an EventSource reconnects later.
      this.logger.warn(`Streaming the progress of data sync ${job.id}: cannot subscribe to updates: ${(error as Error).message}`);
      stop();
      return;
    }
    // The client may have left while the subscription was made.
    if (closed) return unlisten();
    poll = setInterval(() => void send(), this.config.dataSync.streamPollMs);
    await send();
  }

  beforeApplicationShutdown(): void {
    for (const stop of [...this.open]) stop();
  }

  /** Why the key may no longer read, or null while it may; a look-up that failed (PostgreSQL down) throws. */
  private async refusalOf(apiKey: string, requiredScopes: readonly string[]): Promise<string | null> {
    try {
      const key = await this.keys.verify(apiKey);
      // Worded as the guard words it for a request.
      assertHoldsScopes(key.scopes, requiredScopes);
      return null;
    } catch (error) {
      if (error instanceof CommonError) return error.message;
      throw error;
    }
  }
}
