import { redisOptionsFromUrl } from './redis-options';

describe('redisOptionsFromUrl', () => {
  it('asks for TLS on rediss:// only, with the host to check the certificate against', () => {
    expect(redisOptionsFromUrl('rediss://cache.example.com:6380/2')).toEqual({ host: 'cache.example.com', port: 6380, db: 2, tls: { servername: 'cache.example.com' } });
    expect(redisOptionsFromUrl('redis://127.0.0.1:6379/0')).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
  });

  it('reads credentials, IPv6 hosts and defaults', () => {
    expect(redisOptionsFromUrl('redis://user:p%40ss@[::1]/')).toEqual({ host: '::1', port: 6379, db: 0, username: 'user', password: 'p@ss' });
    expect(redisOptionsFromUrl('redis://:only-password@localhost:7000')).toEqual({ host: 'localhost', port: 7000, db: 0, password: 'only-password' });
  });
});
