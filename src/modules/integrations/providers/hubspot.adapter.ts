import { requireStrings, stringAt } from './configuration-checks';
import { Configuration, ProbeDetails, ProviderAdapter, ProviderCall, ProviderCallError } from './provider-adapter';

/** HubSpot CRM (api.hubapi.com): a private app's access token as a Bearer token. */
export class HubSpotAdapter implements ProviderAdapter {
  readonly provider = 'HubSpot';
  readonly integrationTypes = ['CRM'] as const;
  readonly secretFields = ['accessToken'];

  checkConfiguration(configuration: Configuration) {
    return requireStrings(configuration, 'accessToken');
  }

  async validateCredentials(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await call.http.send({ operation: 'account-details', method: 'GET', url: `${call.urls.hubspot}/account-info/v3/details`, headers: this.auth(call) });
    if (body.portalId === undefined) throw new ProviderCallError('unavailable', 'HubSpot answered the account request without a portal id');
    return { portalId: body.portalId };
  }

  /** Reads one contact: proves the token may read CRM objects, changes nothing. */
  async sendTest(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await call.http.send({ operation: 'list-contacts', method: 'GET', url: `${call.urls.hubspot}/crm/v3/objects/contacts?limit=1`, headers: this.auth(call) });
    if (!Array.isArray(body.results)) throw new ProviderCallError('unavailable', 'HubSpot answered the contacts request without results');
    return { contactsRead: body.results.length };
  }

  async checkHealth(call: ProviderCall): Promise<ProbeDetails> {
    return this.validateCredentials(call);
  }

  private auth(call: ProviderCall): Record<string, string> {
    return { authorization: `Bearer ${stringAt(call.configuration, 'accessToken')}` };
  }
}
