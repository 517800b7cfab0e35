import { Query } from '@nestjs/cqrs';
import type { Page } from '../../../../common/http/pagination';
import type { Anomaly } from '../../domain/anomaly.entity';
import type { AnomalyMetric } from '../../domain/anomaly-metrics';

export interface AnomalyFilter {
  metric?: AnomalyMetric;
  subjectId?: string;
  since?: Date;
  until?: Date;
}

export class ListAnomaliesQuery extends Query<Page<Anomaly>> {
  constructor(
    readonly tenantId: string,
    readonly filter: AnomalyFilter,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
