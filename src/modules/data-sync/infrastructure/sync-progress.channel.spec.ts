import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { AppConfig } from '../../../common/config/app-config';
import { RedisChannels } from '../../../common/redis/redis.module';
import { ProgressUpdate, SyncProgressChannel } from './sync-progress.channel';

/** ioredis's subscriber connection, as far as RedisChannels uses it: SUBSCRIBE, and `message` events. */
class FakeSubscriber extends EventEmitter {
  subscribe = jest.fn<Promise<unknown>, [string]>();
}

describe('SyncProgressChannel', () => {
  it('subscribes again after a failed subscription (Redis down at the first stream), and passes each update once', async () => {
    const subscriber = new FakeSubscriber();
    subscriber.subscribe.mockRejectedValueOnce(new Error('Connection is closed.')).mockResolvedValue(1);
    const redis = { duplicate: () => subscriber } as unknown as Redis;
    const channel = new SyncProgressChannel(new RedisChannels(redis, { redisKeyPrefix: 'test' } as AppConfig));
    const updates: ProgressUpdate[] = [];

    await expect(channel.listen('job-1', (update) => updates.push(update))).rejects.toThrow('Connection is closed.');
    await channel.listen('job-1', (update) => updates.push(update));
    expect(subscriber.subscribe).toHaveBeenCalledTimes(2);

    subscriber.emit('message', 'test:data-sync-progress', JSON.stringify({ jobId: 'job-1', status: 'Running' }));
    expect(updates).toEqual([{ jobId: 'job-1', status: 'Running' }]);
  });
});
