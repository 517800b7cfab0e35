import { createServer, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundRequestError, SafeHttpClient } from './safe-http-client';

describe('SafeHttpClient.problemWith', () => {
  const client = new SafeHttpClient({ allowLoopbackTargets: false });
  afterAll(() => client.onApplicationShutdown());

  it('gives each URL its own verdict, the same on every call', () => {
    const urls = ['https://hooks.example.com/a', 'http://hooks.example.com/a', 'https://10.0.0.8/a', 'https://user:pw@hooks.example.com/a', 'not a url', 'https://127.0.0.1/a'];
    const first = urls.map((url) => client.problemWith(url));
    expect(first).toEqual([null, expect.stringMatching(/HTTPS/), expect.stringMatching(/address/), expect.stringMatching(/credentials/), expect.stringMatching(/not valid/), expect.stringMatching(/address/)]);
    // Asked again (answered from what the first calls learned), in another order.
    expect([...urls].reverse().map((url) => client.problemWith(url))).toEqual([...first].reverse());
  });
});

describe('SafeHttpClient.request', () => {
  const client = new SafeHttpClient({ allowLoopbackTargets: true });
  let server: Server;
  let url: string;
  /** Answers at once, then sends a byte of body every 50 ms without end: only a deadline on the whole exchange stops it. */
  const dripping = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      dripping.add(res);
      const drip = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of dripping) res.destroy();
    await client.onApplicationShutdown();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on an exchange that outlasts its timeout, however steadily the body comes', async () => {
    const error = await client.request({ url: `${url}/drip`, timeoutMs: 400 }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error).toMatchObject({ reason: 'timeout' });
  });

  it("drops the exchange when the caller's signal aborts, with the caller's reason", async () => {
    const caller = new AbortController();
    const pending = client.request({ url: `${url}/drip`, timeoutMs: 60_000, signal: caller.signal }).catch((reason: unknown) => reason);
    setTimeout(() => caller.abort(new Error('lease lost')), 200);
    expect(await pending).toEqual(new Error('lease lost'));
  });
});
