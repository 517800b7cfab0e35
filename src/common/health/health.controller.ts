import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bull';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { CommonError, CommonErrorCode } from '../errors/domain-error';
import type { Queue } from 'bull';
import type Redis from 'ioredis';
import { Public } from '../auth/auth.decorators';
import { DOMAIN_EVENTS_QUEUE, MAINTENANCE_QUEUE } from '../queues/queues';
import { REDIS } from '../redis/redis.module';

/**
 * Liveness says the process answers; readiness says it can do its work: PostgreSQL, Redis and the Bull queues
 * reachable. Load balancers route on readiness, orchestrators restart on liveness.
 */
@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: MikroOrmHealthIndicator,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(DOMAIN_EVENTS_QUEUE) private readonly domainEvents: Queue,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 503 problem+json naming what is down, with every check's result under `checks`: Terminus's own 503 body would
   * otherwise reach the problem filter as a bare "Service Unavailable".
   */
  @Get('ready')
  @HealthCheck()
  async ready() {
    try {
      return await this.health.check([
        () => this.database.pingCheck('postgres', { timeout: 2000 }),
        () => this.ping('redis', () => this.redis.ping()),
        // The queues' own connection: isReady() resolves once at start-up and never fails afterwards.
        () => this.ping('queues', () => Promise.all([this.domainEvents.client.ping(), this.maintenance.client.ping()])),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new CommonError(CommonErrorCode.NotReady, `Not ready: ${down.join(', ') || 'a dependency'} unreachable`, { checks: result.details });
    }
  }

  private async ping(key: string, probe: () => Promise<unknown>) {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(probe(), 2000);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
