import ipaddr from 'ipaddr.js';
import type { FieldError } from '../../../common/errors/domain-error';
import { SYNC_TYPES, SyncType } from '../../data-sync/domain/sync-types';
import { isStandardWebhooksSecret } from './verification/standard-webhooks.scheme';
import { GenericHmacSettings, SIGNATURE_SCHEMES, SignatureScheme } from './verification/verification';

/**
 * How an integration's provider signs its callbacks, read from the integration's (sealed) configuration:
 *
 *   "incomingWebhook": {
 *     "scheme": "stripe" | "github" | "standard-webhooks" | "hmac",   // default from the provider
 *     "secrets": ["whsec_…"],            // several while the provider rotates; "secret" for one
 *     "toleranceSeconds": 300,
 *     "allowedIps": ["203.0.113.0/24"],  // optional allow-list (spec §8.3)
 *     "hmac": { "header": "X-Signature", "algorithm": "sha256", "encoding": "hex", "prefix": "sha256=", "idHeader": "X-Delivery-Id" },
 *     "republish": { "charge.refunded": "PaymentRefunded" },  // provider event type → application event type
 *     "syncOn": { "contact.updated": "Incremental" }           // provider event type → sync of this integration
 *   }
 *
 * The spec's own example keeps Stripe's endpoint secret at the top level (`webhookSecret`); that is read too.
 */
export interface IncomingWebhookSettings {
  scheme: SignatureScheme;
  secrets: string[];
  toleranceSeconds: number;
  allowedIps: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  hmac: GenericHmacSettings | null;
  /** Provider event types re-published to outgoing subscribers as the named application event type. */
  republish: Record<string, string>;
  /** Provider event types that start an import of this integration, of the named sync type. */
  syncOn: Record<string, SyncType>;
}

const DEFAULT_SCHEME: Record<string, SignatureScheme> = { stripe: 'stripe', github: 'github' };

export function readIncomingWebhookSettings(
  provider: string,
  configuration: Record<string, unknown>,
  defaultToleranceSeconds: number,
): { settings?: IncomingWebhookSettings; errors: FieldError[] } {
  const section = (configuration.incomingWebhook ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field: `configuration.incomingWebhook.${field}`, messages: [message] });

  const scheme = (section.scheme ?? DEFAULT_SCHEME[provider.toLowerCase()] ?? 'standard-webhooks') as SignatureScheme;
  if (!SIGNATURE_SCHEMES.includes(scheme)) fail('scheme', `scheme must be one of ${SIGNATURE_SCHEMES.join(', ')}`);

  const secrets = signingSecrets(configuration).map(({ secret }) => secret);
  if (secrets.length === 0) fail('secrets', 'at least one signing secret is needed to accept webhooks');

  const tolerance = section.toleranceSeconds ?? defaultToleranceSeconds;
  if (typeof tolerance !== 'number' || !Number.isInteger(tolerance) || tolerance < 1 || tolerance > 3600) fail('toleranceSeconds', 'toleranceSeconds must be an integer from 1 to 3600');

  const allowedIps: IncomingWebhookSettings['allowedIps'] = [];
  const listedIps = section.allowedIps ?? [];
  // Checked before iterating: a number or an object would otherwise throw a TypeError, a 500 instead of this 400.
  if (!Array.isArray(listedIps)) fail('allowedIps', 'allowedIps must be a list of IP addresses or CIDR ranges');
  for (const cidr of Array.isArray(listedIps) ? (listedIps as unknown[]) : []) {
    if (typeof cidr !== 'string') {
      fail('allowedIps', 'allowedIps must hold strings, each an IP address or CIDR range');
      continue;
    }
    try {
      allowedIps.push(cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), ipaddr.parse(cidr).kind() === 'ipv4' ? 32 : 128]);
    } catch {
      fail('allowedIps', `${cidr} is not an IP address or CIDR range`);
    }
  }

  let hmac: GenericHmacSettings | null = null;
  if (scheme === 'hmac') {
    const h = (section.hmac ?? {}) as Record<string, unknown>;
    if (typeof h.header !== 'string' || !/^[\w-]{1,100}$/.test(h.header)) fail('hmac.header', 'hmac.header must name the signature header');
    const algorithm = h.algorithm ?? 'sha256';
    if (algorithm !== 'sha256' && algorithm !== 'sha512') fail('hmac.algorithm', 'hmac.algorithm must be sha256 or sha512');
    const encoding = h.encoding ?? 'hex';
    if (encoding !== 'hex' && encoding !== 'base64') fail('hmac.encoding', 'hmac.encoding must be hex or base64');
    hmac = {
      header: String(h.header),
      algorithm: algorithm as GenericHmacSettings['algorithm'],
      encoding: encoding as GenericHmacSettings['encoding'],
      prefix: typeof h.prefix === 'string' ? h.prefix : '',
      idHeader: typeof h.idHeader === 'string' ? h.idHeader : null,
    };
  }
  const republish = (section.republish ?? {}) as Record<string, unknown>;
  if (typeof republish !== 'object' || Array.isArray(republish) || Object.values(republish).some((v) => typeof v !== 'string')) {
    fail('republish', 'republish must map provider event types to application event type names');
  }
  const syncOn = (section.syncOn ?? {}) as Record<string, unknown>;
  if (typeof syncOn !== 'object' || Array.isArray(syncOn) || Object.values(syncOn).some((v) => !SYNC_TYPES.includes(v as SyncType))) {
    fail('syncOn', `syncOn must map provider event types to one of ${SYNC_TYPES.join(', ')}`);
  }
  if (errors.length) return { errors };
  return {
    settings: { scheme, secrets, toleranceSeconds: tolerance as number, allowedIps, hmac, republish: republish as Record<string, string>, syncOn: syncOn as Record<string, SyncType> },
    errors,
  };
}

/**
 * What POST/PUT /api/integrations refuses in the receiving settings: whatever the receiver could not read, and
 * secrets the scheme cannot use. Those are refused here only: an integration stored with one earlier still
 * receives, its verifier taking such a secret as one that matches nothing, so the others keep working.
 */
export function incomingWebhookConfigurationProblems(provider: string, configuration: Record<string, unknown>, defaultToleranceSeconds: number): FieldError[] {
  const { settings, errors } = readIncomingWebhookSettings(provider, configuration, defaultToleranceSeconds);
  if (!settings || settings.scheme !== 'standard-webhooks') return errors;
  return signingSecrets(configuration)
    .filter(({ secret }) => !isStandardWebhooksSecret(secret))
    .map(({ field, name }) => ({ field, messages: [`${name} must be a Standard Webhooks secret: whsec_ followed by the base64 of the key`] }));
}

/** Every signing secret with the field it came from; the spec's Stripe example keeps one at the top level. */
function signingSecrets(configuration: Record<string, unknown>): Array<{ secret: string; field: string; name: string }> {
  const section = (configuration.incomingWebhook ?? {}) as Record<string, unknown>;
  const listed = Array.isArray(section.secrets) ? section.secrets.map((secret: unknown, index) => ({ secret, name: `secrets[${index}]` })) : [{ secret: section.secrets, name: 'secrets' }];
  return [
    ...listed.map((entry) => ({ ...entry, field: 'configuration.incomingWebhook.secrets' })),
    { secret: section.secret, name: 'secret', field: 'configuration.incomingWebhook.secret' },
    { secret: configuration.webhookSecret, name: 'webhookSecret', field: 'configuration.webhookSecret' },
  ].filter((entry): entry is { secret: string; field: string; name: string } => typeof entry.secret === 'string' && entry.secret.length > 0);
}

/** True when no allow-list is set, or `ip` falls in one of its ranges. */
export function ipAllowed(settings: IncomingWebhookSettings, ip: string): boolean {
  if (settings.allowedIps.length === 0) return true;
  if (!ipaddr.isValid(ip)) return false;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  return settings.allowedIps.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}
