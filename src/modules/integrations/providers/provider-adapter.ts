import type { ProviderUrls } from '../../../common/config/app-config';
import type { FieldError } from '../../../common/errors/domain-error';
import type { IntegrationType, ProbeFailure } from '../domain/integration-types';
import type { ProviderHttp } from './provider-http';

/** An integration's configuration: the JSON object the admin gave, decrypted. */
export type Configuration = Record<string, unknown>;

/** What an adapter gets for one call: the integration's settings and a client bound to its resilience policy. */
export interface ProviderCall {
  configuration: Configuration;
  http: ProviderHttp;
  urls: ProviderUrls;
  /** OAuth providers only: a current access token (refreshed first when it is about to expire). */
  accessToken: () => Promise<string>;
}

/** Provider facts worth logging (an account id, a test message id), never a credential. */
export type ProbeDetails = Record<string, unknown>;

/** How an OAuth (authorization-code + PKCE) provider is reached; URLs may depend on the configuration. */
export interface OAuthProviderSettings {
  authorizeUrl(configuration: Configuration, urls: ProviderUrls): string;
  tokenUrl(configuration: Configuration, urls: ProviderUrls): string;
  scopes(configuration: Configuration): string;
  /** Extra query parameters of the authorization request, e.g. Google's `access_type=offline`. */
  authorizeParameters?: Record<string, string>;
}

/**
 * One provider behind the common interface (seed 004's adapter pattern): each speaks its provider's real API
 * shape and turns the answer into success (details) or a ProviderCallError. Adding a provider is a class here
 * and a line in provider-registry.ts.
 */
export interface ProviderAdapter {
  /** The canonical name stored on the integration, e.g. `Stripe`. */
  readonly provider: string;
  readonly integrationTypes: readonly IntegrationType[];
  /** Configuration paths holding secrets, masked on every read (beside the names that look secret). */
  readonly secretFields: readonly string[];
  readonly oauth?: OAuthProviderSettings;
  /**
   * Field errors of a configuration, named `configuration.<path>`; empty when it can be stored. `problemWithUrl`
   * is the SSRF-safe client's check of a URL the service would call.
   */
  checkConfiguration(configuration: Configuration, problemWithUrl: (url: string) => string | null): FieldError[];
  /** An authenticated call that proves the credentials work (BR-IM-02). */
  validateCredentials(call: ProviderCall): Promise<ProbeDetails>;
  /** A test transaction or message, as harmless as the provider allows (sandbox, test keys). */
  sendTest(call: ProviderCall): Promise<ProbeDetails>;
  /** The cheap call of the periodic health check (UC-IM-04). */
  checkHealth(call: ProviderCall): Promise<ProbeDetails>;
}

/** A provider call that failed, classified for the lifecycle. The message never holds a secret. */
export class ProviderCallError extends Error {
  constructor(
    readonly failure: ProbeFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderCallError';
  }
}
