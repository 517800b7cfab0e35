import { Command } from '@nestjs/cqrs';
import type { Integration } from '../../domain/integration.entity';
import type { IntegrationError } from '../../domain/integration.errors';
import type { ProbeOutcome, StartedCheck } from '../../domain/integration-types';

export interface RecordedCheck {
  integration: Integration;
  /** Set when the provider agreed but BR-IM-01 kept the integration from activating. */
  conflict?: IntegrationError;
  /** Set when the integration no longer awaited this check (see `Integration.awaits`): its outcome was not applied. */
  stale?: boolean;
}

/** Applies the outcome of a probe (a test or a health check) to the integration and logs it. */
export class RecordIntegrationCheckCommand extends Command<RecordedCheck> {
  constructor(
    readonly tenantId: string,
    readonly integrationId: string,
    /** From `Integration.startCheck` or `startHealthCheck`; `{ purpose: 'observed' }` for a refusal seen outside a check. */
    readonly check: StartedCheck,
    readonly outcome: ProbeOutcome,
    /** The API key that asked for a test; null for the scheduled health check. */
    readonly actorApiKeyId: string | null,
    /** Correlates the log entry: the request id of a test, the job id of a health check. */
    readonly requestId: string | null,
  ) {
    super();
  }
}
