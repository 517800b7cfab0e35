import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequireScopes } from '../../../common/auth/auth.decorators';
import type { Actor } from '../../../common/cqrs/actor';
import { DateTimeField, EnumField, UuidField } from '../../../common/http/fields';
import { ApiBadRequest } from '../../../common/http/openapi';
import { PageOf, PageQueryDto } from '../../../common/http/pagination';
import type { Anomaly } from '../domain/anomaly.entity';
import { ANOMALY_METRICS, ANOMALY_SUBJECT_TYPES, AnomalyMetric, AnomalySubjectType } from '../domain/anomaly-metrics';
import { ListAnomaliesQuery } from '../queries/list-anomalies/list-anomalies.query';

export class ListAnomaliesQueryDto extends PageQueryDto {
  @EnumField(ANOMALY_METRICS, { enumName: 'AnomalyMetric', optional: true }) metric?: AnomalyMetric;
  @UuidField({ optional: true, description: 'The API key, webhook or integration observed' }) subjectId?: string;
  @DateTimeField({ optional: true, description: 'Detected at or after' }) since?: Date;
  @DateTimeField({ optional: true, description: 'Detected before' }) until?: Date;
}

export class AnomalyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    enum: ANOMALY_METRICS,
    enumName: 'AnomalyMetric',
    description:
      'ApiKeyRequestsPerHour: an active key used far more than usual (a leaked key?); WebhookFailureRate: far more of a webhook\'s attempts failing than usual, in percent; SyncRecordsPerRun: a completed sync run that processed far more or far fewer records than usual; IntegrationResponseTime: an integration\'s health checks answered far slower than usual, in ms',
  })
  metric: AnomalyMetric;
  @ApiProperty({ enum: ANOMALY_SUBJECT_TYPES, enumName: 'AnomalySubjectType' }) subjectType: AnomalySubjectType;
  @ApiProperty({ format: 'uuid', description: 'The API key, webhook or integration observed' }) subjectId: string;
  @ApiProperty({ type: String, nullable: true, example: 'Contacts/Import', description: 'For SyncRecordsPerRun: the sync type and direction' }) dimension: string | null;
  @ApiProperty({ example: 5200 }) observed: number;
  @ApiProperty({ example: 110.5, description: "The subject's rolling baseline (EWMA) before this observation" }) expected: number;
  @ApiProperty({ example: 12.3, description: 'How many spreads the observation lay from the baseline (negative: below it)' }) zScore: number;
  @ApiProperty({ type: 'integer', description: 'Observations the baseline held' }) baselineSamples: number;
  @ApiProperty({ type: String, format: 'date-time', description: 'End of the observed window, or when the sync run completed' }) observedAt: string;
  @ApiProperty({ type: String, format: 'date-time' }) detectedAt: string;

  static from(anomaly: Anomaly): AnomalyDto {
    const { id, metric, subjectType, subjectId, dimension, observed, expected, zScore, baselineSamples } = anomaly;
    return {
      id,
      metric,
      subjectType,
      subjectId,
      dimension,
      observed: round(observed),
      expected: round(expected),
      zScore: round(zScore),
      baselineSamples,
      observedAt: anomaly.observedAt.toISOString(),
      detectedAt: anomaly.detectedAt.toISOString(),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export const AnomalyPageDto = PageOf(AnomalyDto, 'AnomalyPage');

@ApiTags('Anomalies')
@RequireScopes('integration:manage')
@ApiBadRequest()
@Controller('api/anomalies')
export class AnomaliesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    operationId: 'listAnomalies',
    summary: "Observations far outside their subject's own baseline: API key usage, webhook failure rates, sync volumes, integration response times (newest first)",
  })
  @ApiOkResponse({ type: AnomalyPageDto })
  async listAnomalies(@CurrentActor() actor: Actor, @Query() query: ListAnomaliesQueryDto): Promise<InstanceType<typeof AnomalyPageDto>> {
    const { page, pageSize, ...filter } = query;
    const result = await this.queries.execute(new ListAnomaliesQuery(actor.tenantId, filter, page, pageSize));
    return { ...result, items: result.items.map((anomaly) => AnomalyDto.from(anomaly)) };
  }
}
