/**
 * Minimal typings for autocannon 8 (no @types/autocannon is installed): only what bench/ uses.
 * autocannon is CommonJS (`module.exports = autocannon`); with esModuleInterop, `import autocannon from 'autocannon'`.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    /** One connection; `setHeaders` replaces the headers of its requests (only with pipelining 1). */
    interface Client {
      setHeaders(headers: Record<string, string>): void;
    }

    interface Options {
      url: string;
      title?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      /** Seconds before a request counts as a timeout. */
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      setupClient?: (client: Client) => void;
      /** A sequence of requests each connection cycles through; `setupRequest` may rewrite each one as it goes out. */
      requests?: Array<{ method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (request: RequestParams) => RequestParams }>;
      /** A run before the measured one, whose figures are kept apart (in `Result.warmup`). */
      warmup?: { connections?: number; duration?: number };
    }

    interface RequestParams {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    }

    /** Figures of an HDR histogram; percentiles are keyed p50, p90, p97_5, p99, p99_9 … */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total?: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      [percentile: string]: number | undefined;
    }

    interface Result {
      title?: string;
      url: string;
      connections: number;
      pipelining: number;
      /** Seconds. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
      /** Milliseconds. */
      latency: Histogram;
      /** Requests per second, sampled each second; `total` is the number of completed requests. */
      requests: Histogram & { sent: number };
      /** Bytes per second. */
      throughput: Histogram;
      warmup?: Result;
    }

    /** Emits 'done' and 'error'; awaitable for the result when no callback is given. */
    type Instance = EventEmitter & PromiseLike<Result>;
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;

  export = autocannon;
}
