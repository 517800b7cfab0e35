import { Command } from '@nestjs/cqrs';
import type { ReencryptionBatch } from '../../../../common/crypto/reencryption';

/**
 * One batch of the key rotation: integrations (configuration and OAuth tokens) sealed under a key other than
 * ENCRYPTION_ACTIVE_KEY are sealed again under it. `npm run keys:reencrypt` runs batches until none is left and
 * none was skipped; then the old key can leave ENCRYPTION_KEYS.
 */
export class ReencryptIntegrationSecretsCommand extends Command<ReencryptionBatch> {
  constructor(
    readonly afterId: string | null,
    readonly batchSize = 500,
  ) {
    super();
  }
}
