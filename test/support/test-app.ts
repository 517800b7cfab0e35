import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiError, IntegrationHubClient } from '../../sdk/dist';
import { createHttpApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/common/config/app-config';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  bootstrapKey: string;
  /** A generated SDK client calling this app with `key`. */
  client(key: string): IntegrationHubClient;
  /** A plain fetch against this app (for what the SDK does not do: raw bodies, missing headers). */
  request(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the whole service (API + worker) on 127.0.0.1 with a random port, as `npm start` would. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...process.env, ...env }, () => undefined);
  const app = await createHttpApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    baseUrl,
    bootstrapKey: config.bootstrapApiKey,
    client: (key) => new IntegrationHubClient({ BASE: baseUrl, HEADERS: { 'X-API-Key': key } }),
    request: (path, init = {}) => {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set('X-API-Key', key);
      return fetch(baseUrl + path, { ...rest, headers });
    },
    close: () => app.close(),
  };
}

/** Waits until `check` passes or `ms` elapse; for effects that travel through Redis or the worker. */
export async function eventually<T>(check: () => Promise<T>, ms = 5000, stepMs = 25): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
  }
}

/** The SDK's typed error of a call that must fail; fails the test when the call succeeds. */
export async function errorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
