import { Command } from '@nestjs/cqrs';
import { WithoutUnitOfWork } from '../../../../common/cqrs/command-pipeline';

export interface WebhookFailureRate {
  webhookId: string;
  attempts: number;
  failed: number;
}

export interface WebhookHealthReport {
  disabled: string[];
  alerting: string[];
}

/**
 * Run by the sweep: disables webhooks whose every attempt has failed for the auto-disable span, and raises
 * (or clears) the failure-rate alert of each webhook from the last hour's attempts. It commits page by page (see
 * the handler), so it runs without the unit of work.
 */
@WithoutUnitOfWork()
export class CheckWebhookHealthCommand extends Command<WebhookHealthReport> {
  constructor(
    readonly lastHour: WebhookFailureRate[],
    readonly now: Date = new Date(),
  ) {
    super();
  }
}
