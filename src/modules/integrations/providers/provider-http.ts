import { Inject, Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IPolicy,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AppConfig } from '../../../common/config/app-config';
import { toStorableText } from '../../../common/http/fields';
import { OutboundRequestError, SafeHttpClient } from '../../../common/outbound/safe-http-client';
import { circuitState, providerCallDuration, providerCalls } from '../infrastructure/integration-metrics';
import { ProviderCallError } from './provider-adapter';

export interface ProviderRequest {
  /** Names the call in metrics, e.g. `balance`, `send-test-message`. */
  operation: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded (Stripe, Twilio, OAuth token endpoints). */
  form?: Record<string, string>;
  json?: unknown;
  /** Any 2xx body will do (a health path answering `OK` or a list): `body` is then `{}` unless it is a JSON object. */
  anyBody?: boolean;
}

export interface ProviderAnswer {
  status: number;
  /** The parsed JSON body; a 2xx that is not a JSON object fails as `unavailable` ("answered garbage"), unless `anyBody`. */
  body: Record<string, unknown>;
}

/** Policies of integrations seen lately; an evicted one starts again closed, which is harmless. */
const POLICY_CACHE_SIZE = 20_000;

/**
 * Calls a provider for one integration: through the SSRF-safe client, inside that integration's policy of
 * timeout, retry and circuit breaker (cockatiel). Only transient failures (network, timeout, 5xx, 429,
 * garbage) are retried and count toward opening the circuit; a refused credential or request fails at once.
 */
export class ProviderHttp {
  constructor(
    private readonly client: SafeHttpClient,
    private readonly policy: IPolicy,
    private readonly provider: string,
    private readonly attemptTimeoutMs: number,
  ) {}

  async send(request: ProviderRequest): Promise<ProviderAnswer> {
    try {
      return await this.policy.execute(() => this.attempt(request));
    } catch (error) {
      if (error instanceof ProviderCallError) throw error;
      if (error instanceof BrokenCircuitError) {
        throw new ProviderCallError('unavailable', `The circuit for this integration is open after repeated failures; ${this.provider} is not called until it half-opens`);
      }
      if (error instanceof TaskCancelledError) throw new ProviderCallError('unavailable', `${this.provider} did not answer in time`);
      throw error;
    }
  }

  private async attempt(request: ProviderRequest): Promise<ProviderAnswer> {
    const labels = { provider: this.provider, operation: request.operation };
    const stopTimer = providerCallDuration.startTimer(labels);
    try {
      const answer = await this.exchange(request);
      providerCalls.inc({ ...labels, outcome: 'ok' });
      return answer;
    } catch (error) {
      providerCalls.inc({ ...labels, outcome: error instanceof ProviderCallError ? error.failure : 'unavailable' });
      throw error;
    } finally {
      stopTimer();
    }
  }

  private async exchange(request: ProviderRequest): Promise<ProviderAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'IntegrationHub/1.0', ...request.headers };
    let body: string | undefined;
    if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    let response;
    try {
      response = await this.client.request({ url: request.url, method: request.method, headers, body, timeoutMs: this.attemptTimeoutMs, maxResponseBytes: 256 * 1024 });
    } catch (error) {
      if (error instanceof OutboundRequestError) {
        // A refused address is the configuration's fault and no retry will change it.
        throw new ProviderCallError(error.reason === 'refused_target' ? 'configuration' : 'unavailable', `${this.provider}: ${error.message}`);
      }
      throw error;
    }
    const status = response.status;
    if (status === 401 || status === 403) throw new ProviderCallError('authentication', `${this.provider} refused the credentials (HTTP ${status})`, status);
    // 408 Request Timeout and 425 Too Early say "try again", as 429 and 5xx do: not the configuration's fault.
    if (status === 408 || status === 425 || status === 429 || status >= 500) throw new ProviderCallError('unavailable', `${this.provider} answered HTTP ${status}`, status);
    if (status >= 300) throw new ProviderCallError('configuration', `${this.provider} refused the request (HTTP ${status})${providerMessage(response.body)}`, status);
    return { status, body: request.anyBody ? (jsonObjectIn(response.body) ?? {}) : parseJsonObject(response.body, this.provider) };
  }
}

/**
 * Hands out one ProviderHttp per integration, each with its own circuit: one failing integration never opens
 * the circuit of another on the same provider. Circuits live in the process (API replica or worker).
 */
@Injectable()
export class ProviderHttpFactory {
  private readonly policies = new LRUCache<string, IPolicy>({ max: POLICY_CACHE_SIZE });

  constructor(
    private readonly client: SafeHttpClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  forIntegration(integrationId: string, provider: string): ProviderHttp {
    let policy = this.policies.get(integrationId);
    if (!policy) {
      policy = this.createPolicy(integrationId, provider);
      this.policies.set(integrationId, policy);
    }
    return new ProviderHttp(this.client, policy, provider, this.config.integrations.callTimeoutMs);
  }

  /** The circuit of an integration, for the health answer; `closed` when this process has not called it. */
  circuitOf(integrationId: string): 'closed' | 'open' | 'half-open' | 'isolated' {
    const policy = this.policies.get(integrationId) as (IPolicy & { breaker?: CircuitBreakerPolicy }) | undefined;
    return policy?.breaker ? CIRCUIT_NAMES[policy.breaker.state] : 'closed';
  }

  private createPolicy(integrationId: string, provider: string): IPolicy {
    const settings = this.config.integrations;
    const transient = handleWhen((error) => error instanceof ProviderCallError && error.failure === 'unavailable');
    const breaker = circuitBreaker(transient, { halfOpenAfter: settings.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(settings.breakerFailures) });
    breaker.onStateChange((state) => circuitState.set({ integration_id: integrationId, provider }, state));
    const retries = retry(transient, { maxAttempts: settings.callRetries, backoff: new ExponentialBackoff({ initialDelay: settings.retryBaseDelayMs, maxDelay: settings.callTimeoutMs }) });
    // The whole call, retries included, never outlasts twice one attempt's timeout: a hanging provider
    // cannot hold a request or a worker slot for longer.
    const overall = timeout(settings.callTimeoutMs * 2, TimeoutStrategy.Aggressive);
    return Object.assign(wrap(overall, retries, breaker), { breaker });
  }
}

const CIRCUIT_NAMES = ['closed', 'open', 'half-open', 'isolated'] as const;

function parseJsonObject(text: string, provider: string): Record<string, unknown> {
  const parsed = jsonObjectIn(text);
  if (parsed) return parsed;
  // Reported without echoing the body.
  throw new ProviderCallError('unavailable', `${provider} answered something that is not a JSON object`);
}

/** The JSON object `text` holds ({} for an empty body), or undefined when it holds anything else. */
function jsonObjectIn(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return undefined;
}

/** The provider's own error text (Stripe's error.message, OAuth's error_description), cut short; never our input. */
function providerMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; error_description?: unknown; message?: unknown };
    const message = typeof body.error === 'object' ? body.error?.message : body.error_description ?? body.message ?? body.error;
    // Stored in the integration's log and lastError: a character PostgreSQL cannot store there (U+0000, an unpaired
    // surrogate, also from cutting a pair in two) would fail the check's outcome, which then is never recorded.
    return typeof message === 'string' ? `: ${toStorableText(message.slice(0, 200))}` : '';
  } catch {
    return '';
  }
}
