import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import type { Queue } from 'bull';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { MAINTENANCE_QUEUE } from '../../../common/queues/queues';
import { ScheduleKeeper } from '../../../common/queues/schedule-keeper';
import { RevokeExpiredApiKeysCommand } from '../commands/revoke-expired-api-keys/revoke-expired-api-keys.command';

export const REVOKE_EXPIRED_API_KEYS_JOB = 'revoke-expired-api-keys';

/** BR-AK-04: the hourly sweep that revokes expired keys, once per hour across all workers. */
@Processor(MAINTENANCE_QUEUE)
export class ApiKeyMaintenanceProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeyMaintenanceProcessor.name);

  constructor(
    private readonly commands: CommandBus,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly schedules: ScheduleKeeper,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep(this.queue, REVOKE_EXPIRED_API_KEYS_JOB, this.config.apiKeys.expiryCron);
  }

  @Process(REVOKE_EXPIRED_API_KEYS_JOB)
  async revokeExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const revoked = await this.commands.execute(new RevokeExpiredApiKeysCommand());
      total += revoked;
      if (revoked === 0) break;
    }
    if (total) this.logger.log(`Revoked ${total} expired API key(s)`);
    return total;
  }
}
