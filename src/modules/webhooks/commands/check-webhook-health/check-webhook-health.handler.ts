import { Inject, Logger } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { Webhook } from '../../domain/webhook.entity';
import { webhookFailureRateAlerts, webhooksAutoDisabled } from '../../infrastructure/webhook-metrics';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { CheckWebhookHealthCommand, WebhookHealthReport } from './check-webhook-health.command';

/** Webhooks looked at per run; the rest wait for the next sweep. */
const BATCH = 500;

@CommandHandler(CheckWebhookHealthCommand)
export class CheckWebhookHealthHandler implements ICommandHandler<CheckWebhookHealthCommand> {
  private readonly logger = new Logger('WebhookHealth');

  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ lastHour, now }: CheckWebhookHealthCommand): Promise<WebhookHealthReport> {
    const { autoDisableAfterSeconds, failureRateAlertPercent } = this.config.webhooks;
    const failingSince = new Date(now.getTime() - autoDisableAfterSeconds * 1000);
    const rates = new Map(lastHour.map((rate) => [rate.webhookId, rate]));
    const aboveThreshold = lastHour.filter((r) => (r.failed / r.attempts) * 100 > failureRateAlertPercent).map((r) => r.webhookId);
    const candidates = await this.webhooks.find(
      {
        $or: [
          { isActive: true, failingSince: { $lte: failingSince } },
          { failureAlertActive: true },
          ...(aboveThreshold.length ? [{ id: { $in: aboveThreshold } }] : []),
        ],
      },
      { limit: BATCH },
    );
    const report: WebhookHealthReport = { disabled: [], alerting: [] };
    for (const webhook of candidates) {
      if (webhook.disableIfFailingFor(autoDisableAfterSeconds, now)) {
        webhooksAutoDisabled.inc();
        report.disabled.push(webhook.id);
        this.logger.warn({ webhookId: webhook.id, tenantId: webhook.tenantId, failingSince: webhook.failingSince }, 'Webhook disabled: every attempt failed for the auto-disable span');
      }
      const rate = rates.get(webhook.id);
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
    return report;
  }
}
