import { Inject, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { inUnitOfWork } from '../../../../common/cqrs/command-pipeline';
import { Webhook } from '../../domain/webhook.entity';
import { webhookFailureRateAlerts, webhooksAutoDisabled } from '../../infrastructure/webhook-metrics';
import { CheckWebhookHealthCommand, WebhookFailureRate, WebhookHealthReport } from './check-webhook-health.command';

/**
 * Goes through every candidate (webhooks failing for the auto-disable span, alerting, or above the threshold in
 * the last hour) in pages in id order, each page in a short transaction of its own with its events. A run that
 * stopped at a fixed number of unordered rows could leave the same webhooks out of every run. The command runs
 * without the unit of work, which would hold one transaction, and every loaded webhook, across all pages.
 */
@CommandHandler(CheckWebhookHealthCommand)
export class CheckWebhookHealthHandler implements ICommandHandler<CheckWebhookHealthCommand> {
  private readonly logger = new Logger('WebhookHealth');

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ lastHour, now }: CheckWebhookHealthCommand): Promise<WebhookHealthReport> {
    const { autoDisableAfterSeconds, failureRateAlertPercent, healthCheckPageSize } = this.config.webhooks;
    const failingSince = new Date(now.getTime() - autoDisableAfterSeconds * 1000);
    const rates = new Map(lastHour.map((rate) => [rate.webhookId, rate]));
    const aboveThreshold = lastHour.filter((r) => (r.failed / r.attempts) * 100 > failureRateAlertPercent).map((r) => r.webhookId);
    const candidates = {
      $or: [
        { isActive: true, failingSince: { $lte: failingSince } },
        { failureAlertActive: true },
        ...(aboveThreshold.length ? [{ id: { $in: aboveThreshold } }] : []),
      ],
    };
    const report: WebhookHealthReport = { disabled: [], alerting: [] };
    let after: string | undefined;
    for (;;) {
      const page = await inUnitOfWork(this.em, undefined, async (em) => {
        const webhooks = await em.find(Webhook, after ? { $and: [candidates, { id: { $gt: after } }] } : candidates, { orderBy: { id: 'asc' }, limit: healthCheckPageSize });
        for (const webhook of webhooks) this.evaluate(webhook, rates.get(webhook.id), now, report);
        return webhooks;
      });
      if (page.length < healthCheckPageSize) return report;
      after = page[page.length - 1].id;
    }
  }

  private evaluate(webhook: Webhook, rate: WebhookFailureRate | undefined, now: Date, report: WebhookHealthReport): void {
    const { autoDisableAfterSeconds, failureRateAlertPercent } = this.config.webhooks;
    if (webhook.disableIfFailingFor(autoDisableAfterSeconds, now)) {
      webhooksAutoDisabled.inc();
      report.disabled.push(webhook.id);
      this.logger.warn({ webhookId: webhook.id, tenantId: webhook.tenantId, failingSince: webhook.failingSince }, 'Webhook disabled: every attempt failed for the auto-disable span');
    }
    const percent = rate && rate.attempts ? (rate.failed / rate.attempts) * 100 : 0;
    const wasAlerting = webhook.failureAlertActive;
    webhook.reportFailureRate(percent, rate?.attempts ?? 0, failureRateAlertPercent);
    if (webhook.failureAlertActive) {
      report.alerting.push(webhook.id);
      if (!wasAlerting) {
        webhookFailureRateAlerts.inc();
        this.logger.warn({ webhookId: webhook.id, tenantId: webhook.tenantId, failureRatePercent: Math.round(percent), attempts: rate?.attempts }, 'Webhook failure rate above the alert threshold');
      }
    }
  }
}
