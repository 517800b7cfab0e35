import { matchIfPresent, requireStrings, stringAt } from './configuration-checks';
import { Configuration, ProbeDetails, ProviderAdapter, ProviderCall, ProviderCallError } from './provider-adapter';

/** Google Calendar API v3 with Google's OAuth 2.0 (authorization code + PKCE, offline access for a refresh token). */
export class GoogleCalendarAdapter implements ProviderAdapter {
  readonly provider = 'GoogleCalendar';
  readonly integrationTypes = ['CalendarSync'] as const;
  readonly secretFields = ['clientSecret'];
  readonly oauth = {
    authorizeUrl: (_: Configuration, urls: ProviderCall['urls']) => urls.googleAuthorize,
    tokenUrl: (_: Configuration, urls: ProviderCall['urls']) => urls.googleToken,
    scopes: (configuration: Configuration) => stringAt(configuration, 'scopes') ?? 'https://www.googleapis.com/auth/calendar',
    // Without these Google issues no refresh token, or only on the first consent.
    authorizeParameters: { access_type: 'offline', prompt: 'consent' },
  };

  checkConfiguration(configuration: Configuration) {
    return [...requireStrings(configuration, 'clientId', 'clientSecret'), ...matchIfPresent(configuration, 'calendarId', /^.{1,255}$/, 'a calendar id')];
  }

  async validateCredentials(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await this.get(call, 'calendar-list', '/users/me/calendarList?maxResults=1');
    if (body.kind !== 'calendar#calendarList') throw new ProviderCallError('unavailable', 'Google answered without a calendar list');
    return { calendars: Array.isArray(body.items) ? body.items.length : 0 };
  }

  /** The first page of events of the synchronised calendar: the initial sync's read (UC-IM-03 step 5). */
  async sendTest(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await this.get(call, 'list-events', `/calendars/${this.calendarId(call)}/events?maxResults=10&singleEvents=true`);
    if (body.kind !== 'calendar#events') throw new ProviderCallError('unavailable', 'Google answered without a list of events');
    return { eventsRead: Array.isArray(body.items) ? body.items.length : 0 };
  }

  async checkHealth(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await this.get(call, 'calendar', `/calendars/${this.calendarId(call)}`);
    if (body.kind !== 'calendar#calendar') throw new ProviderCallError('unavailable', 'Google answered without the calendar');
    return {};
  }

  private calendarId(call: ProviderCall): string {
    return encodeURIComponent(stringAt(call.configuration, 'calendarId') ?? 'primary');
  }

  private async get(call: ProviderCall, operation: string, path: string) {
    return call.http.send({ operation, method: 'GET', url: `${call.urls.googleCalendar}${path}`, headers: { authorization: `Bearer ${await call.accessToken()}` } });
  }
}
