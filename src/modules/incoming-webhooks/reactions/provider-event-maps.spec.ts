import type { CommandBus } from '@nestjs/cqrs';
import { WebhookReceivedEvent } from '../domain/events/webhook-received.event';
import type { IncomingWebhookSettings } from '../domain/incoming-webhook-settings';
import type { Receiver } from '../infrastructure/incoming-settings.cache';
import { RepublishAsApplicationEvent } from './republish-as-application-event.handler';
import { StartSyncOnProviderEvent } from './start-sync-on-provider-event.handler';

/**
 * `republish` and `syncOn` are plain objects keyed by the provider's event type, which may come from a header no
 * signature covers (GitHub's X-GitHub-Event): a name Object.prototype has must not count as mapped.
 */
describe('provider event type maps', () => {
  const receiver = (settings: Partial<IncomingWebhookSettings>): Receiver => ({
    tenantId: 't',
    integrationId: 'i',
    provider: 'GitHub',
    settings: { scheme: 'github', secrets: ['s'], toleranceSeconds: 300, allowedIps: [], hmac: null, republish: {}, syncOn: {}, ...settings },
  });
  const received = (eventType: string | null) => new WebhookReceivedEvent('t', 'a', 'i', 'GitHub', eventType, '127.0.0.1', new Date().toISOString());
  const inherited = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'];
  const handlers = [
    { name: 'republish', handler: new RepublishAsApplicationEvent({} as CommandBus), settings: { republish: { 'push.created': 'CodePushed' } } },
    { name: 'syncOn', handler: new StartSyncOnProviderEvent({} as CommandBus), settings: { syncOn: { 'push.created': 'Incremental' as const } } },
  ];

  it.each(handlers)('$name wants the mapped types only, none that Object.prototype has', ({ handler, settings }) => {
    expect(handler.handles(received('push.created'), receiver(settings))).toBe(true);
    expect(handler.handles(received('push.deleted'), receiver(settings))).toBe(false);
    expect(handler.handles(received(null), receiver(settings))).toBe(false);
    for (const eventType of inherited) expect(handler.handles(received(eventType), receiver(settings))).toBe(false);
  });

  it.each(handlers)('$name still maps a type that happens to share a name with Object.prototype\'s members', ({ name, handler }) => {
    const own = name === 'republish' ? { republish: JSON.parse('{"constructor": "Built", "__proto__": "Odd"}') as Record<string, string> } : { syncOn: JSON.parse('{"constructor": "Full", "__proto__": "Full"}') as Record<string, 'Full'> };
    expect(handler.handles(received('constructor'), receiver(own))).toBe(true);
    expect(handler.handles(received('__proto__'), receiver(own))).toBe(true);
  });
});
