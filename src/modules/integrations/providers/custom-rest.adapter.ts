import type { FieldError } from '../../../common/errors/domain-error';
import { INTEGRATION_TYPES } from '../domain/integration-types';
import { matchIfPresent, oneOfIfPresent, requireStrings, stringAt, urlIfPresent } from './configuration-checks';
import { Configuration, ProbeDetails, ProviderAdapter, ProviderCall, ProviderCallError } from './provider-adapter';

export const CUSTOM_AUTH_TYPES = ['none', 'header', 'bearer', 'basic', 'oauth2_client_credentials'] as const;
type CustomAuthType = (typeof CUSTOM_AUTH_TYPES)[number];

/** The fields each kind of authentication needs. */
const AUTH_FIELDS: Record<CustomAuthType, string[]> = {
  none: [],
  header: ['auth.headerName', 'auth.headerValue'],
  bearer: ['auth.token'],
  basic: ['auth.username', 'auth.password'],
  oauth2_client_credentials: ['auth.tokenUrl', 'auth.clientId', 'auth.clientSecret'],
};

/**
 * The request headers of the Custom provider's authentication types that need no call of their own (none,
 * header, bearer, basic); undefined for any other type (OAuth client credentials fetch a token first). Shared
 * with data sync's connectors, which call the same APIs.
 */
export function customStaticAuthHeaders(configuration: Configuration): Record<string, string> | undefined {
  const value = (path: string) => stringAt(configuration, path) ?? '';
  switch ((stringAt(configuration, 'auth.type') ?? 'none') as CustomAuthType) {
    case 'none':
      return {};
    case 'header':
      return { [value('auth.headerName').toLowerCase()]: value('auth.headerValue') };
    case 'bearer':
      return { authorization: `Bearer ${value('auth.token')}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${value('auth.username')}:${value('auth.password')}`).toString('base64')}` };
    default:
      return undefined;
  }
}

/** A header token, but none the HTTP client manages itself (the connection, the message framing). */
const HEADER_NAME = /^(?!(?:connection|content-length|expect|host|keep-alive|proxy-connection|te|trailer|transfer-encoding|upgrade)$)[A-Za-z0-9-]{1,100}$/i;
/** RFC 9110 field-value characters: visible ASCII, space, tab and obs-text (Latin-1), nothing else. */
const HEADER_VALUE = /^[\t\x20-\x7E\x80-\xFF]*$/;
const HEADER_VALUE_EXPECTED = 'text an HTTP header can carry (no line breaks or control characters)';

/**
 * Any REST API the admin describes: a base URL, a path to check (answering 2xx is healthy) and how to
 * authenticate. Usable for every integration type; the URL of the API and of its token endpoint are the
 * admin's, so they go through the SSRF-safe client like every other call.
 */
export class CustomRestAdapter implements ProviderAdapter {
  readonly provider = 'Custom';
  readonly integrationTypes = INTEGRATION_TYPES;
  readonly secretFields = ['auth.headerValue', 'auth.token', 'auth.password', 'auth.clientSecret'];

  checkConfiguration(configuration: Configuration, problemWithUrl: (url: string) => string | null): FieldError[] {
    const authType = (stringAt(configuration, 'auth.type') ?? 'none') as CustomAuthType;
    const errors = [
      ...requireStrings(configuration, 'baseUrl'),
      ...urlIfPresent(configuration, 'baseUrl', problemWithUrl),
      ...matchIfPresent(configuration, 'healthPath', /^\/\S*$/, 'a path starting with /'),
      ...matchIfPresent(configuration, 'testPath', /^\/\S*$/, 'a path starting with /'),
      ...oneOfIfPresent(configuration, 'auth.type', CUSTOM_AUTH_TYPES),
      ...matchIfPresent(configuration, 'auth.headerName', HEADER_NAME, 'an HTTP header name other than one of the connection or the message framing'),
      // Sent as they are in a header: a CR, LF or NUL (or a character past Latin-1) would make every call fail.
      ...matchIfPresent(configuration, 'auth.headerValue', HEADER_VALUE, HEADER_VALUE_EXPECTED),
      ...matchIfPresent(configuration, 'auth.token', HEADER_VALUE, HEADER_VALUE_EXPECTED),
    ];
    if (CUSTOM_AUTH_TYPES.includes(authType)) {
      errors.push(...requireStrings(configuration, ...AUTH_FIELDS[authType]));
      if (authType === 'oauth2_client_credentials') errors.push(...urlIfPresent(configuration, 'auth.tokenUrl', problemWithUrl));
    }
    return errors;
  }

  validateCredentials(call: ProviderCall): Promise<ProbeDetails> {
    return this.get(call, 'health', stringAt(call.configuration, 'healthPath') ?? '/');
  }

  sendTest(call: ProviderCall): Promise<ProbeDetails> {
    return this.get(call, 'test', stringAt(call.configuration, 'testPath') ?? stringAt(call.configuration, 'healthPath') ?? '/');
  }

  checkHealth(call: ProviderCall): Promise<ProbeDetails> {
    return this.validateCredentials(call);
  }

  private async get(call: ProviderCall, operation: string, path: string): Promise<ProbeDetails> {
    const base = stringAt(call.configuration, 'baseUrl')!.replace(/\/+$/, '');
    // Any 2xx is healthy, whatever its body: a health path may answer `OK` as text, or a list.
    const { status } = await call.http.send({ operation, method: 'GET', url: `${base}${path}`, headers: await this.authHeaders(call), anyBody: true });
    return { status };
  }

  private async authHeaders(call: ProviderCall): Promise<Record<string, string>> {
    if (stringAt(call.configuration, 'auth.type') === 'oauth2_client_credentials') {
      return { authorization: `Bearer ${await this.clientCredentialsToken(call)}` };
    }
    return customStaticAuthHeaders(call.configuration) ?? {};
  }

  /** RFC 6749 §4.4, client authenticated with HTTP Basic (§2.3.1). */
  private async clientCredentialsToken(call: ProviderCall): Promise<string> {
    const basic = Buffer.from(`${encodeURIComponent(stringAt(call.configuration, 'auth.clientId')!)}:${encodeURIComponent(stringAt(call.configuration, 'auth.clientSecret')!)}`).toString('base64');
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    const scope = stringAt(call.configuration, 'auth.scope');
    if (scope) form.scope = scope;
    const { body } = await call.http.send({ operation: 'oauth-token', method: 'POST', url: stringAt(call.configuration, 'auth.tokenUrl')!, headers: { authorization: `Basic ${basic}` }, form });
    if (typeof body.access_token !== 'string') throw new ProviderCallError('unavailable', 'The token endpoint answered without an access token');
    return body.access_token;
  }
}
