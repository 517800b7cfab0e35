import { matchIfPresent, requireStrings, stringAt } from './configuration-checks';
import { Configuration, ProbeDetails, ProviderAdapter, ProviderCall, ProviderCallError } from './provider-adapter';

/** PayPal REST (api-m.paypal.com, or the sandbox): OAuth client credentials, then JSON APIs. */
export class PayPalAdapter implements ProviderAdapter {
  readonly provider = 'PayPal';
  readonly integrationTypes = ['PaymentGateway'] as const;
  readonly secretFields = ['clientSecret', 'webhookId'];

  checkConfiguration(configuration: Configuration) {
    return [...requireStrings(configuration, 'clientId', 'clientSecret'), ...matchIfPresent(configuration, 'currency', /^[A-Za-z]{3}$/, 'a three-letter ISO currency code')];
  }

  async validateCredentials(call: ProviderCall): Promise<ProbeDetails> {
    const token = await this.accessToken(call);
    return { appId: token.appId, tokenExpiresIn: token.expiresIn };
  }

  /** Creates an order, which moves no money until a buyer approves it and it is captured. */
  async sendTest(call: ProviderCall): Promise<ProbeDetails> {
    const token = await this.accessToken(call);
    const { body } = await call.http.send({
      operation: 'test-order',
      method: 'POST',
      url: `${call.urls.paypal}/v2/checkout/orders`,
      headers: { authorization: `Bearer ${token.accessToken}` },
      json: {
        intent: 'CAPTURE',
        purchase_units: [{ description: 'Integration Hub connection test', amount: { currency_code: (stringAt(call.configuration, 'currency') ?? 'USD').toUpperCase(), value: '1.00' } }],
      },
    });
    if (typeof body.id !== 'string' || body.status !== 'CREATED') throw new ProviderCallError('unavailable', 'PayPal answered the test order without a created order');
    return { orderId: body.id };
  }

  async checkHealth(call: ProviderCall): Promise<ProbeDetails> {
    return this.validateCredentials(call);
  }

  private async accessToken(call: ProviderCall): Promise<{ accessToken: string; appId: unknown; expiresIn: unknown }> {
    const basic = Buffer.from(`${stringAt(call.configuration, 'clientId')}:${stringAt(call.configuration, 'clientSecret')}`).toString('base64');
    const { body } = await call.http.send({
      operation: 'oauth-token',
      method: 'POST',
      url: `${call.urls.paypal}/v1/oauth2/token`,
      headers: { authorization: `Basic ${basic}` },
      form: { grant_type: 'client_credentials' },
    });
    if (typeof body.access_token !== 'string') throw new ProviderCallError('unavailable', 'PayPal answered the token request without an access token');
    return { accessToken: body.access_token, appId: body.app_id, expiresIn: body.expires_in };
  }
}
