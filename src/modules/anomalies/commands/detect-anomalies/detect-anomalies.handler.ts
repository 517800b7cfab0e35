import { Inject } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../../../../common/config/app-config';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { queryBound } from '../../../../common/database/bound-query';
import { Anomaly } from '../../domain/anomaly.entity';
import { ANOMALY_METRICS, AnomalyMetric, METRIC_DEFINITIONS } from '../../domain/anomaly-metrics';
import { assess, BaselineSettings } from '../../domain/rolling-baseline';
import { anomaliesDetected } from '../../infrastructure/anomaly-metrics';
import { apiKeyUsage, baselineKey, integrationResponseTimes, lockBaselines, Observation, saveBaselines, StoredBaseline, syncVolumes, webhookFailureRates } from '../../infrastructure/observations';
import { AnomalySweep, DetectAnomaliesCommand } from './detect-anomalies.command';

type ObservationSource = (em: EntityManager, baselines: Map<string, StoredBaseline>, now: Date) => Promise<Observation[]>;

const SOURCES: Record<AnomalyMetric, ObservationSource> = {
  ApiKeyRequestsPerHour: apiKeyUsage,
  WebhookFailureRate: webhookFailureRates,
  SyncRecordsPerRun: syncVolumes,
  IntegrationResponseTime: integrationResponseTimes,
};

/** A baseline that has not moved in this long belongs to a subject that is gone or idle; it starts afresh. */
const STALE_BASELINE_DAYS = 90;

@CommandHandler(DetectAnomaliesCommand)
export class DetectAnomaliesHandler implements ICommandHandler<DetectAnomaliesCommand> {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ now }: DetectAnomaliesCommand): Promise<AnomalySweep> {
    // One sweep at a time, whatever started it: two would fold the same observations in twice. The lock ends with
    // the unit of work's transaction.
    const [{ locked }] = await queryBound<{ locked: boolean }>(this.em, "SELECT pg_try_advisory_xact_lock(hashtext('detect-anomalies')) AS locked", []);
    if (!locked) return { compared: 0, anomalies: [], ran: false };

    const { baselineSamples, minSamples, zThreshold } = this.config.anomalies;
    const settings: BaselineSettings = { span: baselineSamples, minSamples, zThreshold };
    const anomalies: Anomaly[] = [];
    /** Each baseline this sweep moved, as it stands after its last observation. */
    const moved = new Map<string, StoredBaseline>();
    let compared = 0;
    for (const metric of ANOMALY_METRICS) {
      const baselines = await lockBaselines(this.em, metric);
      // A subject first seen in this sweep may bring history (a sync's runs of the last weeks): it builds the
      // baseline, and only what happens after the subject was first seen can be unusual.
      const seenBefore = new Set(baselines.keys());
      for (const observation of await SOURCES[metric](this.em, baselines, now)) {
        const key = baselineKey(observation.subjectId, observation.dimension);
        const before = baselines.get(key) ?? null;
        let next = before ?? { mean: 0, variance: 0, samples: 0 };
        if (observation.value !== null) {
          const assessment = assess(before, observation.value, METRIC_DEFINITIONS[metric], settings);
          if (assessment.expected !== null) compared++;
          if (assessment.anomalous && seenBefore.has(key)) {
            anomalies.push(
              Anomaly.detect(
                {
                  tenantId: observation.tenantId,
                  metric,
                  subjectId: observation.subjectId,
                  dimension: observation.dimension || null,
                  observed: observation.value,
                  expected: assessment.expected!,
                  zScore: assessment.zScore!,
                  baselineSamples: before!.samples,
                  observedAt: observation.observedUntil,
                },
                now,
              ),
            );
          }
          next = assessment.next;
        }
        // Several observations of one subject in a sweep (sync runs) fold in one after another.
        const stored: StoredBaseline = { ...observation, ...next };
        baselines.set(key, stored);
        moved.set(`${metric}/${key}`, stored);
      }
    }
    await saveBaselines(this.em, [...moved.values()]);
    await queryBound(this.em, `DELETE FROM anomaly_baseline WHERE observed_until < ?::timestamptz`, [new Date(now.getTime() - STALE_BASELINE_DAYS * 86_400_000).toISOString()]);
    for (const anomaly of anomalies) this.em.persist(anomaly);
    await afterCommit(() => {
      for (const anomaly of anomalies) anomaliesDetected.inc({ metric: anomaly.metric });
    });
    return { compared, anomalies: anomalies.map((a) => a.id), ran: true };
  }
}
