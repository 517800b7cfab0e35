import { Command } from '@nestjs/cqrs';

export interface AnomalySweep {
  /** Observations compared with a baseline (first observations of a subject only start one). */
  compared: number;
  /** The anomalies found, by id. */
  anomalies: string[];
  /** False when another sweep was running, so this one did nothing. */
  ran: boolean;
}

/**
 * §10.2, run by the worker on ANOMALY_DETECTION_CRON: observes every watched subject (API keys' requests per
 * hour, webhooks' failure rates, integrations' records per sync run and response times), compares each observation with the
 * subject's own rolling baseline, records the unusual ones as anomalies (AnomalyDetected), and moves the baselines.
 */
export class DetectAnomaliesCommand extends Command<AnomalySweep> {
  constructor(readonly now: Date = new Date()) {
    super();
  }
}
