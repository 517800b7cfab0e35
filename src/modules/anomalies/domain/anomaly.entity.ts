import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { AggregateRoot } from '@nestjs/cqrs';
import type { DomainEvent } from '../../../common/events/domain-event';
import { AnomalyMetric, AnomalySubjectType, METRIC_DEFINITIONS } from './anomaly-metrics';
import { AnomalyDetectedEvent } from './events/anomaly.events';

export interface UnusualObservation {
  tenantId: string;
  metric: AnomalyMetric;
  subjectId: string;
  /** What the metric is split by within its subject (a sync's type and direction), or null. */
  dimension: string | null;
  observed: number;
  expected: number;
  zScore: number;
  /** Observations the baseline held when it was compared. */
  baselineSamples: number;
  observedAt: Date;
}

/** One observation that lay far outside its subject's baseline (spec §10.2), kept ANOMALY_RETENTION_DAYS. */
@Entity({ tableName: 'anomaly' })
export class Anomaly extends AggregateRoot<DomainEvent> {
  @PrimaryKey({ type: 'uuid' })
  id: string;

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'string', length: 40 })
  metric: AnomalyMetric;

  @Property({ type: 'string', length: 30 })
  subjectType: AnomalySubjectType;

  @Property({ type: 'uuid' })
  subjectId: string;

  @Property({ type: 'string', length: 200, nullable: true })
  dimension: string | null = null;

  @Property({ type: 'double' })
  observed: number;

  @Property({ type: 'double' })
  expected: number;

  @Property({ type: 'double' })
  zScore: number;

  @Property({ type: 'integer' })
  baselineSamples: number;

  @Property({ type: 'Date' })
  observedAt: Date;

  @Property({ type: 'Date' })
  detectedAt: Date;

  static detect(observation: UnusualObservation, now = new Date()): Anomaly {
    const anomaly = new Anomaly();
    Object.assign(anomaly, observation);
    anomaly.id = randomUUID();
    anomaly.subjectType = METRIC_DEFINITIONS[observation.metric].subjectType;
    anomaly.detectedAt = now;
    anomaly.apply(
      new AnomalyDetectedEvent(
        anomaly.tenantId,
        anomaly.id,
        anomaly.metric,
        anomaly.subjectType,
        anomaly.subjectId,
        anomaly.dimension,
        anomaly.observed,
        anomaly.expected,
        Math.round(anomaly.zScore * 100) / 100,
      ),
    );
    return anomaly;
  }
}
