import { SafeHttpClient } from './safe-http-client';

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
