import { randomUUID } from 'node:crypto';
import { matchIfPresent, requireStrings, stringAt } from './configuration-checks';
import { Configuration, ProbeDetails, ProviderAdapter, ProviderCall, ProviderCallError } from './provider-adapter';

/** Stripe (api.stripe.com): secret or restricted key as a Bearer token, form-encoded bodies. */
export class StripeAdapter implements ProviderAdapter {
  readonly provider = 'Stripe';
  readonly integrationTypes = ['PaymentGateway'] as const;
  readonly secretFields = ['apiKey', 'webhookSecret'];

  checkConfiguration(configuration: Configuration) {
    return [
      ...requireStrings(configuration, 'apiKey'),
      ...matchIfPresent(configuration, 'apiKey', /^(sk|rk)_(test|live)_[0-9A-Za-z]+$/, 'a Stripe secret or restricted key (sk_… or rk_…)'),
      ...matchIfPresent(configuration, 'webhookSecret', /^whsec_[0-9A-Za-z+/=]+$/, 'a Stripe webhook signing secret (whsec_…)'),
      ...matchIfPresent(configuration, 'currency', /^[A-Za-z]{3}$/, 'a three-letter ISO currency code'),
    ];
  }

  async validateCredentials(call: ProviderCall): Promise<ProbeDetails> {
    return this.balance(call);
  }

  /** A real test charge with Stripe's test card, but only with a test-mode key: a live key never charges. */
  async sendTest(call: ProviderCall): Promise<ProbeDetails> {
    const apiKey = stringAt(call.configuration, 'apiKey')!;
    if (!/^(sk|rk)_test_/.test(apiKey)) return { ...(await this.balance(call)), testCharge: 'skipped: live-mode key' };
    const { body } = await call.http.send({
      operation: 'test-payment-intent',
      method: 'POST',
      url: `${call.urls.stripe}/v1/payment_intents`,
      headers: { authorization: `Bearer ${apiKey}`, 'idempotency-key': randomUUID() },
      form: {
        amount: '100',
        currency: (stringAt(call.configuration, 'currency') ?? 'usd').toLowerCase(),
        payment_method: 'pm_card_visa',
        confirm: 'true',
        'automatic_payment_methods[enabled]': 'true',
        'automatic_payment_methods[allow_redirects]': 'never',
        description: 'Integration Hub connection test',
      },
    });
    if (body.object !== 'payment_intent' || typeof body.id !== 'string') throw new ProviderCallError('unavailable', 'Stripe answered a test charge without a payment intent');
    if (body.status !== 'succeeded') throw new ProviderCallError('configuration', `Stripe's test charge ended ${String(body.status)}`);
    return { paymentIntentId: body.id, livemode: body.livemode };
  }

  checkHealth(call: ProviderCall): Promise<ProbeDetails> {
    return this.balance(call);
  }

  private async balance(call: ProviderCall): Promise<ProbeDetails> {
    const { body } = await call.http.send({
      operation: 'balance',
      method: 'GET',
      url: `${call.urls.stripe}/v1/balance`,
      headers: { authorization: `Bearer ${stringAt(call.configuration, 'apiKey')}` },
    });
    if (body.object !== 'balance') throw new ProviderCallError('unavailable', 'Stripe answered /v1/balance without a balance object');
    return { livemode: body.livemode };
  }
}
