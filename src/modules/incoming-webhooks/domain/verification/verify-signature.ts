import type { IncomingWebhookSettings } from '../incoming-webhook-settings';
import { verifyGenericHmac } from './generic-hmac.scheme';
import { verifyGitHub } from './github.scheme';
import { verifyStandardWebhooks } from './standard-webhooks.scheme';
import { verifyStripe } from './stripe.scheme';
import type { Verification } from './verification';

/** Checks a callback's signature over its exact raw bytes with the integration's scheme and secrets. */
export function verifySignature(
  settings: IncomingWebhookSettings,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  now = new Date(),
): Verification {
  const input = { rawBody, headers, secrets: settings.secrets, toleranceSeconds: settings.toleranceSeconds, now };
  switch (settings.scheme) {
    case 'stripe':
      return verifyStripe(input);
    case 'github':
      return verifyGitHub(input);
    case 'standard-webhooks':
      return verifyStandardWebhooks(input);
    case 'hmac':
      return verifyGenericHmac(input, settings.hmac!);
  }
}
