import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundRequestError, SafeHttpClient } from '../../src/common/outbound/safe-http-client';

/** The SSRF-safe client against a receiver on 127.0.0.1 that misbehaves in the usual ways. */
describe('SafeHttpClient', () => {
  let server: Server;
  let base: string;
  const allowed = new SafeHttpClient({ allowLoopbackTargets: true });
  const strict = new SafeHttpClient({ allowLoopbackTargets: false });

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.writeHead(200, { 'content-type': 'text/plain' }).end('fine');
      else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 10 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return res.once('drain', pump);
          }
          res.end();
        };
        pump();
      } else if (req.url === '/hang') {
        // never answers
      } else if (req.url === '/reset') req.socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all([allowed.onApplicationShutdown(), strict.onApplicationShutdown()]);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function failure(promise: Promise<unknown>): Promise<OutboundRequestError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundRequestError);
    return error as OutboundRequestError;
  }

  it('answers with status, headers and body', async () => {
    const response = await allowed.request({ url: `${base}/ok`, method: 'GET', timeoutMs: 2000 });
    expect(response).toMatchObject({ status: 200, body: 'fine', bodyTruncated: false });
  });

  it('never follows a redirect', async () => {
    const response = await allowed.request({ url: `${base}/redirect`, method: 'GET', timeoutMs: 2000 });
    expect(response.status).toBe(302);
  });

  it('reads a 10 MB answer only up to its limit', async () => {
    const response = await allowed.request({ url: `${base}/huge`, method: 'GET', timeoutMs: 5000, maxResponseBytes: 4096 });
    expect(response.body.length).toBe(4096);
    expect(response.bodyTruncated).toBe(true);
  });

  it('gives up on a target that hangs, and reports a reset socket as a network error', async () => {
    expect((await failure(allowed.request({ url: `${base}/hang`, timeoutMs: 300 }))).reason).toBe('timeout');
    expect((await failure(allowed.request({ url: `${base}/reset`, timeoutMs: 2000 }))).reason).toBe('network');
  });

  it('refuses loopback targets, by address and by name, when loopback is not allowed', async () => {
    const port = (server.address() as AddressInfo).port;
    expect((await failure(strict.request({ url: `${base}/ok`, timeoutMs: 2000 }))).reason).toBe('refused_target');
    // A name resolved at connect time: the check happens on the resolved address.
    expect((await failure(strict.request({ url: `https://localhost:${port}/ok`, timeoutMs: 2000 }))).reason).toBe('refused_target');
    expect(strict.problemWith(`http://[::1]:${port}/`)).toContain('not allowed');
  });
});
