import { randomUUID } from 'node:crypto';
import { isSuccess } from '../domain/delivery-policy';
import { VERIFICATION_EVENT_TYPE } from '../domain/event-catalog';
import { WebhookError, WebhookErrorCode } from '../domain/webhook.errors';
import { webhookBody } from '../domain/webhook-signature';
import type { WebhookSender } from './webhook-sender';

/** The verification request waits at most this long, whatever the webhook's own timeout: it holds an API request. */
const VERIFICATION_TIMEOUT_SECONDS = 10;

/** UC-WH-01 step 6 for an endpoint: a signed WebhookVerification request that must answer 2xx, else a 422 naming `url`. */
export async function verifyEndpoint(
  sender: WebhookSender,
  endpoint: { url: string; secrets: string[]; webhookId: string; eventTypes: string[]; timeoutSeconds: number },
): Promise<void> {
  const result = await sender.send({
    url: endpoint.url,
    secrets: endpoint.secrets,
    messageId: randomUUID(),
    body: webhookBody(VERIFICATION_EVENT_TYPE, new Date(), { webhookId: endpoint.webhookId, eventTypes: endpoint.eventTypes }),
    timeoutSeconds: Math.min(endpoint.timeoutSeconds, VERIFICATION_TIMEOUT_SECONDS),
  });
  if (!isSuccess(result.statusCode)) {
    throw WebhookError.onField(WebhookErrorCode.VerificationFailed, 'url', [
      `the verification request did not get a 2xx answer: ${result.error ?? `HTTP ${result.statusCode}`}`,
    ]);
  }
}
