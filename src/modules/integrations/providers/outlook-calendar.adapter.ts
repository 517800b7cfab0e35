import { matchIfPresent, requireStrings, stringAt } from './configuration-checks';
import { Configuration, ProbeDetails, ProviderAdapter, ProviderCall, ProviderCallError } from './provider-adapter';

/** Microsoft Outlook calendars through Microsoft Graph v1.0, with the Microsoft identity platform's OAuth 2.0. */
export class OutlookCalendarAdapter implements ProviderAdapter {
  readonly provider = 'MicrosoftOutlook';
  readonly integrationTypes = ['CalendarSync'] as const;
  readonly secretFields = ['clientSecret'];
  readonly oauth = {
    authorizeUrl: (configuration: Configuration, urls: ProviderCall['urls']) => `${urls.microsoftLogin}/${this.directory(configuration)}/oauth2/v2.0/authorize`,
    tokenUrl: (configuration: Configuration, urls: ProviderCall['urls']) => `${urls.microsoftLogin}/${this.directory(configuration)}/oauth2/v2.0/token`,
    // offline_access is what makes Microsoft issue a refresh token.
    scopes: (configuration: Configuration) => stringAt(configuration, 'scopes') ?? 'offline_access Calendars.ReadWrite',
  };

  checkConfiguration(configuration: Configuration) {
    return [
      ...requireStrings(configuration, 'clientId', 'clientSecret'),
      ...matchIfPresent(configuration, 'directoryTenant', /^[A-Za-z0-9.-]{1,100}$/, 'common, organizations, consumers, a tenant id or a domain'),
    ];
  }

  async validateCredentials(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await this.get(call, 'calendars', '/me/calendars?$top=1');
    if (!Array.isArray(body.value)) throw new ProviderCallError('unavailable', 'Microsoft Graph answered without a list of calendars');
    return { calendars: body.value.length };
  }

  async sendTest(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await this.get(call, 'list-events', '/me/events?$top=10&$select=subject,start,end');
    if (!Array.isArray(body.value)) throw new ProviderCallError('unavailable', 'Microsoft Graph answered without a list of events');
    return { eventsRead: body.value.length };
  }

  async checkHealth(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await this.get(call, 'calendar', '/me/calendar');
    if (typeof body.id !== 'string') throw new ProviderCallError('unavailable', 'Microsoft Graph answered without the calendar');
    return {};
  }

  private directory(configuration: Configuration): string {
    return encodeURIComponent(stringAt(configuration, 'directoryTenant') ?? 'common');
  }

  private async get(call: ProviderCall, operation: string, path: string) {
    return call.http.send({ operation, method: 'GET', url: `${call.urls.microsoftGraph}${path}`, headers: { authorization: `Bearer ${await call.accessToken()}` } });
  }
}
