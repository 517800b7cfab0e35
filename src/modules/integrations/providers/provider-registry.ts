import { Injectable } from '@nestjs/common';
import type { IntegrationType } from '../domain/integration-types';
import { CustomRestAdapter } from './custom-rest.adapter';
import { GoogleCalendarAdapter } from './google-calendar.adapter';
import { HubSpotAdapter } from './hubspot.adapter';
import { OutlookCalendarAdapter } from './outlook-calendar.adapter';
import { PayPalAdapter } from './paypal.adapter';
import type { ProviderAdapter } from './provider-adapter';
import { SendGridAdapter } from './sendgrid.adapter';
import { StripeAdapter } from './stripe.adapter';
import { TwilioAdapter } from './twilio.adapter';

/** Every provider the service can talk to. A new provider is an adapter class and a line here. */
const ADAPTERS: ProviderAdapter[] = [
  new StripeAdapter(),
  new PayPalAdapter(),
  new SendGridAdapter(),
  new TwilioAdapter(),
  new GoogleCalendarAdapter(),
  new OutlookCalendarAdapter(),
  new HubSpotAdapter(),
  new CustomRestAdapter(),
];

@Injectable()
export class ProviderRegistry {
  private readonly byName = new Map(ADAPTERS.map((adapter) => [adapter.provider.toLowerCase(), adapter]));

  /** Provider names are matched without regard to case; the adapter's spelling is what gets stored. */
  find(provider: string): ProviderAdapter | undefined {
    return this.byName.get(provider.trim().toLowerCase());
  }

  get(provider: string): ProviderAdapter {
    const adapter = this.find(provider);
    if (!adapter) throw new Error(`No adapter for provider ${provider}`);
    return adapter;
  }

  providersFor(type: IntegrationType): string[] {
    return ADAPTERS.filter((adapter) => adapter.integrationTypes.includes(type)).map((adapter) => adapter.provider);
  }
}
