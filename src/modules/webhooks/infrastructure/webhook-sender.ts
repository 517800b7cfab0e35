import { Injectable } from '@nestjs/common';
import { OutboundRequestError, SafeHttpClient } from '../../../common/outbound/safe-http-client';
import { signedHeaders } from '../domain/webhook-signature';

/** What the receiver's answer is kept as: §2.4 ResponseBody, cut at 4 KB. */
const RESPONSE_BODY_LIMIT = 4096;

export interface WebhookRequest {
  url: string;
  secrets: readonly string[];
  messageId: string;
  body: string;
  timeoutSeconds: number;
}

export interface SendResult {
  statusCode: number | null;
  retryAfterHeader?: string | string[];
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  attemptedAt: Date;
}

/**
 * Signs a body (Standard Webhooks) and POSTs it through the SSRF-safe client: addresses checked when the
 * connection is made, no redirects followed, the answer read up to 4 KB, keep-alive connections pooled.
 * Never throws for what the receiver does: timeouts and network errors come back as results.
 */
@Injectable()
export class WebhookSender {
  constructor(private readonly http: SafeHttpClient) {}

  async send(request: WebhookRequest): Promise<SendResult> {
    const attemptedAt = new Date();
    const started = performance.now();
    try {
      const response = await this.http.request({
        url: request.url,
        method: 'POST',
        headers: { ...signedHeaders(request.secrets, request.messageId, request.body, attemptedAt), 'user-agent': 'IntegrationHub-Webhooks/1' },
        body: request.body,
        timeoutMs: request.timeoutSeconds * 1000,
        maxResponseBytes: RESPONSE_BODY_LIMIT,
      });
      const redirect = response.status >= 300 && response.status < 400;
      return {
        statusCode: response.status,
        retryAfterHeader: response.headers['retry-after'],
        responseBody: response.body || null,
        error: redirect ? `Redirect (${response.status}) not followed: webhooks must answer 2xx at their own URL` : response.status >= 300 ? `HTTP ${response.status}` : null,
        durationMs: Math.round(response.durationMs),
        attemptedAt,
      };
    } catch (error) {
      const message = error instanceof OutboundRequestError ? error.message : `Request failed: ${(error as Error).message}`;
      return { statusCode: null, responseBody: null, error: message, durationMs: Math.round(performance.now() - started), attemptedAt };
    }
  }
}
