import { Query } from '@nestjs/cqrs';

export interface WebhookHealth {
  attemptsLastHour: number;
  failedLastHour: number;
  /** Percent of the last hour's attempts that failed; 0 without attempts. */
  failureRatePercent: number;
  /** Above WEBHOOK_FAILURE_RATE_ALERT_PERCENT as of the last sweep. */
  alerting: boolean;
  failingSince: Date | null;
  isActive: boolean;
  disabledReason: string | null;
}

export class GetWebhookHealthQuery extends Query<WebhookHealth> {
  constructor(
    readonly tenantId: string,
    readonly webhookId: string,
  ) {
    super();
  }
}
