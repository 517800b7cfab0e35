import { DomainEvent, EventType } from '../../../../common/events/domain-event';
import type { AnomalyMetric, AnomalySubjectType } from '../anomaly-metrics';

/**
 * §10.2 / §12.3: an observation lay far outside its subject's own baseline. Lands in the audit trail and reaches
 * the tenant's webhooks subscribed to it, like every domain event.
 */
@EventType('AnomalyDetected', { resource: 'anomaly' })
export class AnomalyDetectedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly metric: AnomalyMetric,
    readonly subjectType: AnomalySubjectType,
    readonly subjectId: string,
    readonly dimension: string | null,
    readonly observed: number,
    readonly expected: number,
    readonly zScore: number,
  ) {}
}
