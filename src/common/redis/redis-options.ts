import type { RedisOptions } from 'ioredis';

/**
 * REDIS_URL as connection options, for clients that do not read the URL's scheme. Bull parses a URL string
 * itself and drops the scheme, so `rediss://` gave it a plain connection to a TLS-only server, where its queues
 * never connected while the service's own client (ioredis reads the scheme) did.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  // An IPv6 host comes bracketed in a URL ("[::1]"), bare in a socket address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host,
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db,
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
}
