import { Inject, Injectable } from '@nestjs/common';
import { BrokenCircuitError, circuitBreaker, CircuitBreakerPolicy, ConsecutiveBreaker, handleWhen } from 'cockatiel';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { OutboundRequestError, OutboundResponse, SafeHttpClient } from '../../../common/outbound/safe-http-client';
import { sourceCalls } from '../infrastructure/data-sync-metrics';
import { ConnectorError } from './sync-connector';

export interface ConnectorRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  json?: unknown;
}

/** A failure worth trying again: the network, a timeout, 5xx, or 429 (with the wait the source asked for). */
class TransientSourceError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
    /** A 429: the source works and asks for less; waiting is the answer, not the circuit. */
    readonly rateLimited = false,
  ) {
    super(message);
  }
}

const BREAKER_FAILURES = 5;
const BREAKER_HALF_OPEN_MS = 30_000;

/**
 * The HTTP side of connectors: every call through the SSRF-safe client, inside a circuit breaker per
 * integration, with retries of transient failures that honour the source's `Retry-After` on 429 (seconds or a
 * date, capped by DATA_SYNC_MAX_RETRY_AFTER_SECONDS) and back off exponentially otherwise. Pages can be far
 * larger than the answers of provider checks, so the response limit is DATA_SYNC_MAX_PAGE_BYTES.
 * (The integrations module's ProviderHttp keeps only the parsed body of small answers, without the headers
 * that Retry-After and Link pagination need, hence this client beside it.)
 */
@Injectable()
export class ConnectorHttp {
  private readonly breakers = new LRUCache<string, CircuitBreakerPolicy>({ max: 20_000 });

  constructor(
    private readonly client: SafeHttpClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async send(integrationId: string, request: ConnectorRequest, signal?: AbortSignal): Promise<OutboundResponse> {
    const settings = this.config.dataSync;
    const breaker = this.breakerOf(integrationId);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await breaker.execute(() => this.attempt(request, signal));
        sourceCalls.inc({ outcome: 'ok' });
        return response;
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          sourceCalls.inc({ outcome: 'circuit_open' });
          throw new ConnectorError('unavailable', 'The circuit for this integration is open after repeated failures');
        }
        if (!(error instanceof TransientSourceError)) {
          sourceCalls.inc({ outcome: error instanceof ConnectorError ? error.failure : signal?.aborted ? 'aborted' : 'error' });
          throw error;
        }
        sourceCalls.inc({ outcome: 'retried' });
        if (attempt >= settings.callRetries) throw new ConnectorError('unavailable', `${error.message} (after ${attempt + 1} attempts)`);
        const backoff = settings.retryBaseDelayMs * 2 ** attempt;
        await sleep(error.retryAfterMs ?? backoff, signal);
      }
    }
  }

  /** An abandoned run's `signal` drops the request in flight: its reason is thrown, neither retried nor held against the circuit. */
  private async attempt(request: ConnectorRequest, signal: AbortSignal | undefined): Promise<OutboundResponse> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'IntegrationHub/1.0', ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    let response: OutboundResponse;
    try {
      response = await this.client.request({ url: request.url, method: request.method, headers, body, timeoutMs: this.config.dataSync.callTimeoutMs, maxResponseBytes: this.config.dataSync.maxPageBytes, signal });
    } catch (error) {
      if (error instanceof OutboundRequestError) {
        if (error.reason === 'refused_target') throw new ConnectorError('configuration', error.message);
        throw new TransientSourceError(error.message, null);
      }
      throw error;
    }
    const status = response.status;
    if (status === 429) throw new TransientSourceError('The source is rate limiting (HTTP 429)', this.retryAfterMs(response), true);
    if (status >= 500) throw new TransientSourceError(`The source answered HTTP ${status}`, null);
    if (status === 401 || status === 403) throw new ConnectorError('authentication', `The source refused the credentials (HTTP ${status})`);
    if (status >= 300) throw new ConnectorError('configuration', `The source refused the request (HTTP ${status})`);
    if (response.bodyTruncated) throw new ConnectorError('malformed', `The page is larger than DATA_SYNC_MAX_PAGE_BYTES (${this.config.dataSync.maxPageBytes} bytes); use a smaller page size`);
    return response;
  }

  private retryAfterMs(response: OutboundResponse): number | null {
    const header = response.headers['retry-after'];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) return null;
    const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
    if (!Number.isFinite(seconds)) return null;
    return Math.max(0, Math.min(seconds, this.config.dataSync.maxRetryAfterSeconds)) * 1000;
  }

  private breakerOf(integrationId: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(integrationId);
    if (!breaker) {
      // Rate limiting is not held against the circuit: a source that answers 429 is up, and an open circuit would
      // fail this job and every other job of the integration for half a minute instead of waiting as it asked.
      breaker = circuitBreaker(handleWhen((error) => error instanceof TransientSourceError && !error.rateLimited), {
        halfOpenAfter: BREAKER_HALF_OPEN_MS,
        breaker: new ConsecutiveBreaker(BREAKER_FAILURES),
      });
      this.breakers.set(integrationId, breaker);
    }
    return breaker;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}
