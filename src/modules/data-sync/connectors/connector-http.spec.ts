import type { AppConfig } from '../../../common/config/app-config';
import type { OutboundResponse, SafeHttpClient } from '../../../common/outbound/safe-http-client';
import { ConnectorHttp } from './connector-http';
import { ConnectorError } from './sync-connector';

const config = { dataSync: { callRetries: 0, retryBaseDelayMs: 1, callTimeoutMs: 1_000, maxPageBytes: 1_000_000, maxRetryAfterSeconds: 1 } } as AppConfig;
const request = { method: 'GET' as const, url: 'http://127.0.0.1:9/contacts', headers: {} };

function answering(statuses: number[]) {
  const calls: string[] = [];
  const client = {
    request: ({ url }: { url: string }) => {
      calls.push(url);
      const status = statuses.shift() ?? 200;
      return Promise.resolve({ status, headers: status === 429 ? { 'retry-after': '0' } : {}, body: Buffer.from('{}'), bodyTruncated: false } as unknown as OutboundResponse);
    },
  } as unknown as SafeHttpClient;
  return { http: new ConnectorHttp(client, config), calls };
}

async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return error instanceof ConnectorError ? error.message : String(error);
  }
}

describe('ConnectorHttp circuit', () => {
  it('opens after repeated server errors, sending nothing more to the source meanwhile', async () => {
    const { http, calls } = answering([500, 500, 500, 500, 500]);
    for (let i = 0; i < 5; i++) expect(await failureOf(http.send('integration-1', request))).toContain('HTTP 500');
    expect(await failureOf(http.send('integration-1', request))).toContain('circuit for this integration is open');
    expect(calls).toHaveLength(5);
  });

  it('does not open for a source that rate limits (429): it is up, and the next call goes to it', async () => {
    const { http, calls } = answering([429, 429, 429, 429, 429, 429, 200]);
    for (let i = 0; i < 6; i++) expect(await failureOf(http.send('integration-2', request))).toContain('HTTP 429');
    expect(await failureOf(http.send('integration-2', request))).toBe('none');
    expect(calls).toHaveLength(7);
  });
});
