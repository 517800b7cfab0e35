import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DetectAnomaliesHandler } from './commands/detect-anomalies/detect-anomalies.handler';
import { Anomaly } from './domain/anomaly.entity';
import { AnomaliesController } from './http/anomalies.controller';
import { ListAnomaliesHandler } from './queries/list-anomalies/list-anomalies.handler';

/**
 * Anomaly detection (spec §10.2 and §12.3; DESIGN.md puts rolling statistics where the spec has Azure AI): every
 * watched subject has a baseline learned from its own history, an EWMA of its observations and their spread, and
 * an observation far outside it (ANOMALY_Z_THRESHOLD spreads) is an anomaly: stored, listed at GET /api/anomalies,
 * announced as AnomalyDetected (audit trail, webhooks) and counted in anomalies_detected_total. It reads what the
 * other modules already record (keys' usage counts, webhook attempts, sync runs, health checks' response times), so no request path pays for it.
 */
@Module({
  imports: [MikroOrmModule.forFeature([Anomaly])],
  controllers: [AnomaliesController],
  providers: [DetectAnomaliesHandler, ListAnomaliesHandler],
})
export class AnomaliesModule {}
