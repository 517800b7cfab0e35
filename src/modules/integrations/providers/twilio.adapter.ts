import { E164, matchIfPresent, requireStrings, stringAt } from './configuration-checks';
import { Configuration, ProbeDetails, ProviderAdapter, ProviderCall, ProviderCallError } from './provider-adapter';

/** Twilio (api.twilio.com, 2010-04-01 API): Basic auth with the account SID and auth token, form bodies. */
export class TwilioAdapter implements ProviderAdapter {
  readonly provider = 'Twilio';
  readonly integrationTypes = ['SMSService'] as const;
  readonly secretFields = ['authToken'];

  checkConfiguration(configuration: Configuration) {
    return [
      ...requireStrings(configuration, 'accountSid', 'authToken', 'fromNumber'),
      ...matchIfPresent(configuration, 'accountSid', /^AC[0-9a-fA-F]{32}$/, 'a Twilio account SID (AC followed by 32 hex digits)'),
      ...matchIfPresent(configuration, 'fromNumber', E164, 'a phone number in E.164 form, e.g. +15005550006'),
      ...matchIfPresent(configuration, 'testToNumber', E164, 'a phone number in E.164 form'),
    ];
  }

  async validateCredentials(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await call.http.send({ operation: 'account', method: 'GET', url: `${this.accountUrl(call)}.json`, headers: this.auth(call) });
    if (typeof body.sid !== 'string') throw new ProviderCallError('unavailable', 'Twilio answered the account request without an account');
    if (body.status !== 'active') throw new ProviderCallError('authentication', `The Twilio account is ${String(body.status)}`);
    return { accountStatus: body.status };
  }

  /** Sends a real SMS, so only to the number the admin named for it (`testToNumber`); otherwise validates. */
  async sendTest(call: ProviderCall): Promise<ProbeDetails> {
    const to = stringAt(call.configuration, 'testToNumber');
    if (!to) return { ...(await this.validateCredentials(call)), testMessage: 'skipped: no testToNumber configured' };
    const { body } = await call.http.send({
      operation: 'send-test-message',
      method: 'POST',
      url: `${this.accountUrl(call)}/Messages.json`,
      headers: this.auth(call),
      form: { To: to, From: stringAt(call.configuration, 'fromNumber')!, Body: 'Integration Hub connection test' },
    });
    if (typeof body.sid !== 'string') throw new ProviderCallError('unavailable', 'Twilio answered the test message without a message SID');
    return { messageSid: body.sid, messageStatus: body.status };
  }

  async checkHealth(call: ProviderCall): Promise<ProbeDetails> {
    return this.validateCredentials(call);
  }

  private accountUrl(call: ProviderCall): string {
    return `${call.urls.twilio}/2010-04-01/Accounts/${encodeURIComponent(stringAt(call.configuration, 'accountSid')!)}`;
  }

  private auth(call: ProviderCall): Record<string, string> {
    const basic = Buffer.from(`${stringAt(call.configuration, 'accountSid')}:${stringAt(call.configuration, 'authToken')}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
}
