import { incomingWebhookConfigurationProblems, readIncomingWebhookSettings } from './incoming-webhook-settings';

/** The receiving settings as POST/PUT /api/integrations checks them, and as the receiver reads them. */
describe('incoming webhook settings', () => {
  const usable = `whsec_${Buffer.from('a standard webhooks secret!').toString('base64')}`;
  const configured = (incomingWebhook: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ incomingWebhook, ...extra });

  describe('Standard Webhooks secrets', () => {
    it('refuses one that is not base64 (or is empty after whsec_), naming its field and never echoing it', () => {
      const problems = incomingWebhookConfigurationProblems('Custom', configured({ scheme: 'standard-webhooks', secrets: [usable, 'not base64!', 'whsec_'] }), 300);
      expect(problems.map((p) => p.field)).toEqual(['configuration.incomingWebhook.secrets', 'configuration.incomingWebhook.secrets']);
      expect(problems.map((p) => p.messages.join(' '))).toEqual([expect.stringContaining('secrets[1]'), expect.stringContaining('secrets[2]')]);
      expect(JSON.stringify(problems)).not.toContain('not base64!');
    });

    it('names the field a single secret came from', () => {
      const single = incomingWebhookConfigurationProblems('Custom', configured({ scheme: 'standard-webhooks', secret: 'bad' }), 300);
      expect(single.map((p) => p.field)).toEqual(['configuration.incomingWebhook.secret']);
      const topLevel = incomingWebhookConfigurationProblems('Custom', configured({ scheme: 'standard-webhooks' }, { webhookSecret: 'bad' }), 300);
      expect(topLevel.map((p) => p.field)).toEqual(['configuration.webhookSecret']);
    });

    it('accepts base64 secrets with or without the whsec_ prefix, and leaves other schemes\' secrets alone', () => {
      expect(incomingWebhookConfigurationProblems('Custom', configured({ scheme: 'standard-webhooks', secrets: [usable, usable.slice('whsec_'.length)] }), 300)).toEqual([]);
      expect(incomingWebhookConfigurationProblems('Custom', configured({ scheme: 'hmac', secrets: ['not base64!'], hmac: { header: 'X-Signature' } }), 300)).toEqual([]);
    });

    it('still reads an integration stored with one before the check, so its other secrets keep working', () => {
      const { settings } = readIncomingWebhookSettings('Custom', configured({ scheme: 'standard-webhooks', secrets: ['bad', usable] }), 300);
      expect(settings?.secrets).toEqual(['bad', usable]);
    });
  });

  describe('allowedIps', () => {
    it.each([5, {}, '127.0.0.1'])('refuses %p, which is no list, naming the field', (allowedIps) => {
      const { settings, errors } = readIncomingWebhookSettings('Stripe', configured({ allowedIps }, { webhookSecret: 'whsec_x' }), 300);
      expect(settings).toBeUndefined();
      expect(errors).toEqual([{ field: 'configuration.incomingWebhook.allowedIps', messages: [expect.stringContaining('list')] }]);
    });

    it('reads addresses and ranges, and refuses an entry that is neither, or no string', () => {
      expect(readIncomingWebhookSettings('Stripe', configured({ allowedIps: ['127.0.0.1', '::1/128'] }, { webhookSecret: 'whsec_x' }), 300).settings?.allowedIps).toHaveLength(2);
      expect(readIncomingWebhookSettings('Stripe', configured({ allowedIps: ['127.0.0.1', 7, 'not-an-ip'] }, { webhookSecret: 'whsec_x' }), 300).errors.map((e) => e.field)).toEqual(['configuration.incomingWebhook.allowedIps', 'configuration.incomingWebhook.allowedIps']);
    });
  });
});
