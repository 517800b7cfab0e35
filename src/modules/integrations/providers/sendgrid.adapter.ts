import { EMAIL, matchIfPresent, requireStrings, stringAt } from './configuration-checks';
import { Configuration, ProbeDetails, ProviderAdapter, ProviderCall, ProviderCallError } from './provider-adapter';

/** SendGrid v3 (api.sendgrid.com): API key as a Bearer token. */
export class SendGridAdapter implements ProviderAdapter {
  readonly provider = 'SendGrid';
  readonly integrationTypes = ['EmailService'] as const;
  readonly secretFields = ['apiKey'];

  checkConfiguration(configuration: Configuration) {
    return [
      ...requireStrings(configuration, 'apiKey', 'fromEmail'),
      ...matchIfPresent(configuration, 'fromEmail', EMAIL, 'an email address'),
      ...matchIfPresent(configuration, 'testRecipient', EMAIL, 'an email address'),
    ];
  }

  /** The key works and may send mail (the `mail.send` scope). */
  async validateCredentials(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await call.http.send({ operation: 'scopes', method: 'GET', url: `${call.urls.sendgrid}/v3/scopes`, headers: this.auth(call) });
    if (!Array.isArray(body.scopes)) throw new ProviderCallError('unavailable', 'SendGrid answered /v3/scopes without a scope list');
    if (!body.scopes.includes('mail.send')) throw new ProviderCallError('configuration', 'The SendGrid API key lacks the mail.send scope');
    return { scopes: body.scopes.length };
  }

  /** A test message in sandbox mode: SendGrid validates and accepts it but delivers nothing. */
  async sendTest(call: ProviderCall): Promise<ProbeDetails> {
    const from = stringAt(call.configuration, 'fromEmail')!;
    const { status } = await call.http.send({
      operation: 'send-test-message',
      method: 'POST',
      url: `${call.urls.sendgrid}/v3/mail/send`,
      headers: this.auth(call),
      json: {
        personalizations: [{ to: [{ email: stringAt(call.configuration, 'testRecipient') ?? from }] }],
        from: { email: from },
        subject: 'Integration Hub connection test',
        content: [{ type: 'text/plain', value: 'This message checks the SendGrid integration; sandbox mode delivers nothing.' }],
        mail_settings: { sandbox_mode: { enable: true } },
      },
    });
    return { accepted: status, sandbox: true };
  }

  async checkHealth(call: ProviderCall): Promise<ProbeDetails> {
    return this.validateCredentials(call);
  }

  private auth(call: ProviderCall): Record<string, string> {
    return { authorization: `Bearer ${stringAt(call.configuration, 'apiKey')}` };
  }
}
