import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { BullModule } from '@nestjs/bull';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { AuditEntry } from './audit/audit-entry.entity';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CommandPipeline } from './cqrs/command-pipeline';
import { KeyRingVault, SECRET_VAULT } from './crypto/secret-vault';
import { mikroOrmOptions } from './database/mikro-orm.options';
import { DomainEventDispatcher } from './events/domain-event-dispatcher';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { WorkerMetricsServer } from './metrics/worker-metrics-server';
import { DomainEventsProcessor } from './outbox/domain-events.processor';
import { OutboxMessage } from './outbox/outbox-message.entity';
import { OutboxRecovery } from './outbox/outbox-recovery';
import { OutboxRelay } from './outbox/outbox-relay';
import { SafeHttpClient } from './outbound/safe-http-client';
import { DOMAIN_EVENTS_QUEUE, MAINTENANCE_QUEUE } from './queues/queues';
import { RedisModule } from './redis/redis.module';
import { RetentionScheduler } from './retention/retention';
import { redisOptionsFromUrl } from './redis/redis-options';

const queues = BullModule.registerQueue(
  // A job whose worker died is run again up to 10 times (Bull's default fails it on the second stall, and a
  // failed job's events reach no reaction); its reactions are idempotent on the event id. Bounded, so a job that
  // brings its worker down every time ends as failed, for an operator, rather than taking every worker down.
  { name: DOMAIN_EVENTS_QUEUE, settings: { maxStalledCount: 10 } },
  { name: MAINTENANCE_QUEUE },
);

/**
 * What every module stands on: configuration, logging, PostgreSQL (MikroORM), Redis, Bull, the CQRS buses with
 * their pipeline, health and metrics. Feature modules import nothing of this; it is global.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        ConfigModule.forRoot(config),
        MikroOrmModule.forRoot({ ...mikroOrmOptions(config), autoLoadEntities: true, registerRequestContext: false }),
        MikroOrmModule.forFeature([OutboxMessage, AuditEntry]),
        RedisModule,
        BullModule.forRoot({ redis: redisOptionsFromUrl(config.redisUrl), prefix: `${config.redisKeyPrefix}:bull` }),
        queues,
        CqrsModule.forRoot(),
        TerminusModule,
        DiscoveryModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        CommandPipeline,
        SafeHttpClient,
        { provide: SECRET_VAULT, useFactory: () => new KeyRingVault(config.encryption) },
      ],
      exports: [queues, DiscoveryModule, SafeHttpClient, SECRET_VAULT],
    };
  }
}

/** The worker's share of the platform: the outbox relay and its recovery, the consumer that runs reactions, retention jobs. */
@Module({
  providers: [OutboxRelay, OutboxRecovery, DomainEventsProcessor, DomainEventDispatcher, RetentionScheduler],
  // Writers of events in the worker ask it whether anything reacts to an event before they have it relayed.
  exports: [DomainEventDispatcher],
})
export class PlatformWorkerModule {}

/** A worker process's own /metrics and /health/live listener (role `worker` only: role `all` serves them on PORT). */
@Module({ providers: [WorkerMetricsServer] })
export class WorkerMetricsModule {}
