import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/common/config/app-config';
import { SafeHttpClient } from '../../src/common/outbound/safe-http-client';
import { ProviderHttpFactory } from '../../src/modules/integrations/providers/provider-http';

/** How a provider's HTTP answers are classed: what is worth retrying, what is the configuration's fault. */
describe('ProviderHttp', () => {
  let server: Server;
  let base: string;
  const calls = new Map<string, number>();
  const client = new SafeHttpClient({ allowLoopbackTargets: true });
  const config = loadConfig({ INTEGRATIONS_CALL_RETRIES: '2', INTEGRATIONS_RETRY_BASE_DELAY_MS: '1' }, () => undefined);
  const factory = new ProviderHttpFactory(client, config);

  beforeAll(async () => {
    server = createServer((req, res) => {
      calls.set(req.url!, (calls.get(req.url!) ?? 0) + 1);
      const [status, body] = req.url!.slice(1).split('/');
      if (body) return void res.writeHead(Number(status), { 'content-type': 'text/plain' }).end(decodeURIComponent(body));
      res.writeHead(Number(status), { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await client.onApplicationShutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [408, 'unavailable', 3],
    [425, 'unavailable', 3],
    [429, 'unavailable', 3],
    [503, 'unavailable', 3],
    [404, 'configuration', 1],
    [401, 'authentication', 1],
  ])('classes HTTP %i as %s, retrying only what may pass later', async (status, failure, attempts) => {
    const http = factory.forIntegration(`integration-${status}`, 'Custom');
    await expect(http.send({ operation: 'probe', method: 'GET', url: `${base}/${status}` })).rejects.toMatchObject({ failure });
    expect(calls.get(`/${status}`)).toBe(attempts);
  });

  it('takes any 2xx body from a request that accepts one, and refuses one that is not a JSON object otherwise', async () => {
    const http = factory.forIntegration('integration-any-body', 'Custom');
    for (const body of ['OK', '[1,2]']) {
      const url = `${base}/200/${encodeURIComponent(body)}`;
      await expect(http.send({ operation: 'health', method: 'GET', url, anyBody: true })).resolves.toEqual({ status: 200, body: {} });
      await expect(http.send({ operation: 'health', method: 'GET', url })).rejects.toMatchObject({ failure: 'unavailable' });
    }
  });
});
