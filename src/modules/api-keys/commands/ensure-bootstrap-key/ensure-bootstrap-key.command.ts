import { Command } from '@nestjs/cqrs';

/**
 * Makes sure BOOTSTRAP_API_KEY is a key of the default tenant with every scope, and that an earlier bootstrap
 * value no longer works once the operator changed it, not even when set again (BR-AK-07: the start is refused).
 * Runs at start-up; safe with several replicas.
 */
export class EnsureBootstrapKeyCommand extends Command<void> {
  constructor(readonly token: string) {
    super();
  }
}
