import { createHash } from 'node:crypto';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { DEDUPE_KEY_LENGTH, EVENT_TYPE_LENGTH } from '../../domain/inbound-webhook-event.entity';
import { IncomingWebhookError, IncomingWebhookErrorCode } from '../../domain/incoming-webhook.errors';
import { ipAllowed } from '../../domain/incoming-webhook-settings';
import { header, SignatureScheme } from '../../domain/verification/verification';
import { verifySignature } from '../../domain/verification/verify-signature';
import { incomingWebhooks } from '../../infrastructure/incoming-webhook-metrics';
import { InboundEventWriter } from '../../infrastructure/inbound-event.writer';
import { IncomingSettingsCache } from '../../infrastructure/incoming-settings.cache';
import { ReceiveWebhookCommand, ReceivedWebhook } from './receive-webhook.command';

/** Headers worth keeping with the event; signatures are left out (they are of no use once verified). */
const KEPT_HEADERS = ['content-type', 'user-agent', 'x-github-event', 'x-github-delivery', 'webhook-id', 'webhook-timestamp'];

/**
 * Verifies a provider callback and stores it durably before it is acknowledged; all processing happens in the
 * worker. Refusals store nothing: they are counted and logged, never with the body.
 */
@CommandHandler(ReceiveWebhookCommand)
export class ReceiveWebhookHandler implements ICommandHandler<ReceiveWebhookCommand> {
  private readonly logger = new Logger('IncomingWebhooks');

  constructor(
    private readonly receivers: IncomingSettingsCache,
    private readonly writer: InboundEventWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ integrationId, rawBody, headers, sourceIp, requestId }: ReceiveWebhookCommand): Promise<ReceivedWebhook> {
    const receiver = await this.receivers.receiverFor(integrationId);
    if (!receiver) throw new IncomingWebhookError(IncomingWebhookErrorCode.NotFound, 'No integration receives webhooks here');
    const { provider, settings } = receiver;
    const refuse = (reason: string, error: IncomingWebhookError): never => {
      incomingWebhooks.inc({ provider, outcome: 'rejected', reason });
      this.logger.warn({ integrationId, provider, reason, sourceIp, requestId }, 'Incoming webhook refused');
      throw error;
    };

    if (rawBody.length > this.config.incomingWebhooks.maxBodyBytes) {
      refuse('too_large', new IncomingWebhookError(IncomingWebhookErrorCode.PayloadTooLarge, `Webhook bodies are limited to ${this.config.incomingWebhooks.maxBodyBytes} bytes`));
    }
    if (!ipAllowed(settings, sourceIp)) {
      refuse('ip_not_allowed', new IncomingWebhookError(IncomingWebhookErrorCode.SourceNotAllowed, 'The source address is not in the allow-list'));
    }
    const verification = verifySignature(settings, rawBody, headers);
    if (!verification.ok) refuse(verification.reason, IncomingWebhookError.rejected(verification.reason));
    const verified = verification as Extract<typeof verification, { ok: true }>;

    const parsed = this.parseBody(rawBody, headers, settings.scheme);
    if (parsed === undefined) {
      refuse('malformed_payload', new IncomingWebhookError(IncomingWebhookErrorCode.MalformedPayload, 'The body is not the JSON this provider sends'));
    }

    const stored = await this.writer.store({
      tenantId: receiver.tenantId,
      integrationId,
      provider,
      scheme: settings.scheme,
      dedupeKey: dedupeKeyOf(verified.deliveryId, rawBody),
      bodySha256: bodySha256Of(settings.scheme, rawBody),
      eventType: eventTypeOf(settings.scheme, headers, parsed),
      headers: Object.fromEntries(KEPT_HEADERS.map((name) => [name, header(headers, name)]).filter(([, value]) => value !== undefined)) as Record<string, string>,
      body: rawBody.toString('utf8'),
      sourceIp,
      signedAt: verified.signedAt,
      actorRequestId: requestId,
    });
    incomingWebhooks.inc({ provider, outcome: stored.duplicate ? 'duplicate' : 'accepted', reason: '' });
    return stored;
  }

  /** The parsed JSON body; null for a provider that may send other bodies; undefined when JSON was due but broken. */
  private parseBody(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, scheme: string): unknown {
    const json = scheme === 'stripe' || scheme === 'standard-webhooks' || (header(headers, 'content-type') ?? '').includes('json');
    if (!json) return null;
    try {
      return JSON.parse(rawBody.toString('utf8'));
    } catch {
      return undefined;
    }
  }
}

/**
 * What duplicates share: the provider's id, or a hash of the body when it sends none. Some ids come from headers
 * no signature covers (GitHub's X-GitHub-Delivery, a generic HMAC's id header), so whoever resends a signed
 * callback picks them; one longer than its column is hashed, because a value the database refuses fails every
 * callback stored in the same statement, other tenants' included.
 */
function dedupeKeyOf(deliveryId: string | null, rawBody: Buffer): string {
  if (deliveryId === null) return sha256Key(rawBody);
  return deliveryId.length > DEDUPE_KEY_LENGTH ? sha256Key(deliveryId) : deliveryId;
}

/**
 * The second thing duplicates share, for a scheme whose signature covers the body and nothing else: neither its
 * id header nor a timestamp. Without this key, anyone who saw one signed callback could resend it under a fresh
 * id, as often as they liked, and each copy would be stored and processed (WebhookReceived, republish, syncOn).
 * With it, a body that arrived before for the integration is a duplicate (for as long as callbacks are kept:
 * 30 days), acknowledged and not processed again.
 *
 * - GitHub: its redeliveries repeat the original request, X-GitHub-Delivery included (GitHub's "Best practices
 *   for using webhooks"), and its payloads carry the objects' current state (timestamps, counters, commits), so a
 *   byte-identical one brings nothing new.
 * - Generic HMAC, with or without an `idHeader`: nothing signed tells the same bytes sent again for a new event
 *   from a replay, so they are taken as a replay. This was once left to the id header, because short notifications
 *   ("contact 42 updated") can repeat their bodies for distinct events; but an unsigned id is the sender's choice,
 *   so that let every captured callback in again forever. A provider whose distinct events must both arrive puts
 *   something that differs (an event id, a time) in the signed body, or signs a timestamp (Standard Webhooks).
 *   Its id header still makes its retries of one event duplicates when their bodies differ.
 *
 * Not for Stripe and Standard Webhooks: they sign a timestamp (a replay is refused once outside the tolerance),
 * Stripe's id is in the signed body and Standard Webhooks signs `webhook-id`, so a fresh id is a new signature and
 * the same body under it is a new event. A record, so a scheme added later is a type error here until decided.
 */
const SIGNS_BODY_ONLY: Record<SignatureScheme, boolean> = { github: true, hmac: true, stripe: false, 'standard-webhooks': false };

function bodySha256Of(scheme: SignatureScheme, rawBody: Buffer): string | null {
  return SIGNS_BODY_ONLY[scheme] ? sha256Hex(rawBody) : null;
}

const sha256Hex = (value: string | Buffer): string => createHash('sha256').update(value).digest('hex');
const sha256Key = (value: string | Buffer): string => `sha256:${sha256Hex(value)}`;

/**
 * The provider's name for what happened: Stripe and Standard Webhooks put it in `type`, GitHub in a header (not
 * signed either). Cut to its column for the same reason as the dedupe key.
 */
function eventTypeOf(scheme: string, headers: Record<string, string | string[] | undefined>, body: unknown): string | null {
  let type: unknown;
  if (scheme === 'github') {
    const event = header(headers, 'x-github-event');
    const action = (body as { action?: unknown } | null)?.action;
    type = event ? (typeof action === 'string' ? `${event}.${action}` : event) : null;
  } else {
    const fields = (body ?? {}) as { type?: unknown; event?: unknown; eventType?: unknown };
    type = fields.type ?? fields.event ?? fields.eventType;
  }
  return typeof type === 'string' ? type.slice(0, EVENT_TYPE_LENGTH) : null;
}
