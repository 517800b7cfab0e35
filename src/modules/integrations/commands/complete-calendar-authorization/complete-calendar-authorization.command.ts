import { Command } from '@nestjs/cqrs';
import type { IntegrationTestReport } from '../test-integration/test-integration.command';

/**
 * The provider's redirect back (UC-IM-03 steps 3–6): trades the code for tokens, stores them sealed, reads the
 * calendar and activates the integration (CalendarSyncEnabled). Public: the one-time `state` authenticates it.
 */
export class CompleteCalendarAuthorizationCommand extends Command<IntegrationTestReport> {
  constructor(
    readonly state: string,
    readonly code: string | undefined,
    /** The provider's `error` when the user refused access. */
    readonly error: string | undefined,
    readonly requestId: string | null,
  ) {
    super();
  }
}
