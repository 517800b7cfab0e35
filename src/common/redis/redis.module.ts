import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export const REDIS = Symbol('REDIS');

/**
 * Redis connections of the process: one for commands, one for subscriptions (a subscribed connection can do
 * nothing else). Every key and channel carries REDIS_KEY_PREFIX, so deployments and test runs can share a server.
 */
@Injectable()
export class RedisChannels implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Array<(message: string) => void>>();
  /** SUBSCRIBE per channel, sent once and shared by the callers that wait for it; a failed one is forgotten. */
  private readonly subscriptions = new Map<string, Promise<unknown>>();
  private readonly reconnectHandlers: Array<() => void> = [];

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  channel(name: string): string {
    return `${this.config.redisKeyPrefix}:${name}`;
  }

  async publish(name: string, message: string): Promise<void> {
    await this.redis.publish(this.channel(name), message);
  }

  /**
   * Calls `handler` for each message on the channel, in this process. The handler is kept only once Redis has
   * confirmed the subscription: ioredis does not resubscribe a channel whose SUBSCRIBE failed, so after a failure
   * the next call must send it again rather than find a handler already there.
   */
  async subscribe(name: string, handler: (message: string) => void): Promise<void> {
    const channel = this.channel(name);
    let subscribed = this.subscriptions.get(channel);
    if (!subscribed) {
      subscribed = this.ensureSubscriber()
        .subscribe(channel)
        .catch((error: unknown) => {
          this.subscriptions.delete(channel);
          throw error;
        });
      this.subscriptions.set(channel, subscribed);
    }
    await subscribed;
    const list = this.handlers.get(channel) ?? [];
    list.push(handler);
    this.handlers.set(channel, list);
  }

  /** Messages sent while the connection was down are lost: caches use this to drop everything on reconnect. */
  onResubscribed(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
    this.redis.disconnect();
  }

  private ensureSubscriber(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.redis.duplicate();
    let connectedOnce = false;
    subscriber.on('ready', () => {
      if (connectedOnce) for (const handler of this.reconnectHandlers) handler();
      connectedOnce = true;
    });
    subscriber.on('error', (error) => this.logger.warn(`Subscriber: ${error.message}`));
    subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) handler(message);
    });
    this.subscriber = subscriber;
    return subscriber;
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const redis = new Redis(config.redisUrl, { keyPrefix: `${config.redisKeyPrefix}:`, maxRetriesPerRequest: 3, enableAutoPipelining: true });
        redis.on('error', (error) => new Logger('Redis').warn(`Cannot reach Redis (REDIS_URL): ${error.message}`));
        return redis;
      },
    },
    RedisChannels,
  ],
  exports: [REDIS, RedisChannels],
})
export class RedisModule {}
