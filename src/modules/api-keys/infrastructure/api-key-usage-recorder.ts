import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { pgArray } from '../../../common/database/pg-array';
import { loggableError } from '../../../common/database/statement-failure';

/**
 * `usageCount` and `lastUsedAt` without a write per request: uses are counted in memory and written every
 * API_KEYS_USAGE_FLUSH_MS in one statement for all keys, and once more on shutdown.
 */
@Injectable()
export class ApiKeyUsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyUsageRecorder.name);
  private pending = new Map<string, { count: number; lastUsedAt: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.apiKeys.usageFlushMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(apiKeyId: string, now = Date.now()): void {
    const entry = this.pending.get(apiKeyId);
    if (entry) {
      entry.count++;
      entry.lastUsedAt = now;
    } else {
      this.pending.set(apiKeyId, { count: 1, lastUsedAt: now });
    }
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const ids = [...batch.keys()];
    try {
      await this.em.getConnection().execute(
        `UPDATE api_key AS k
            SET usage_count = k.usage_count + u.n,
                last_used_at = GREATEST(COALESCE(k.last_used_at, u.t), u.t)
           FROM unnest(?::uuid[], ?::bigint[], ?::timestamptz[]) AS u(id, n, t)
          WHERE k.id = u.id`,
        [pgArray(ids), pgArray(ids.map((id) => batch.get(id)!.count)), pgArray(ids.map((id) => new Date(batch.get(id)!.lastUsedAt).toISOString()))],
      );
    } catch (error) {
      // Put the counts back so the next flush carries them.
      for (const [id, entry] of batch) {
        const now = this.pending.get(id);
        this.pending.set(id, { count: entry.count + (now?.count ?? 0), lastUsedAt: Math.max(entry.lastUsedAt, now?.lastUsedAt ?? 0) });
      }
      this.logger.warn(`Could not record API key usage: ${(loggableError(error) as Error).message}`);
    }
  }
}
