import Redis from 'ioredis';
import { dropDatabase } from '../../src/common/database/ensure-database';

export default async function globalTeardown(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL!;
  if (!/ih_test_/.test(new URL(databaseUrl).pathname)) throw new Error(`Refusing to drop ${databaseUrl}: not a test database`);
  await dropDatabase(databaseUrl);
  const redis = new Redis(process.env.REDIS_URL!);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${process.env.REDIS_KEY_PREFIX}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
