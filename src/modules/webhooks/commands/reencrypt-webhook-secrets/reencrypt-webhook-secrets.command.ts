import { Command } from '@nestjs/cqrs';
import type { ReencryptionBatch } from '../../../../common/crypto/reencryption';

/**
 * One batch of the key rotation: webhook signing secrets (the current one, and the previous one of a rotation)
 * sealed under a key other than ENCRYPTION_ACTIVE_KEY are sealed again under it. `npm run keys:reencrypt` runs
 * these after the integrations' batches.
 */
export class ReencryptWebhookSecretsCommand extends Command<ReencryptionBatch> {
  constructor(
    readonly afterId: string | null,
    readonly batchSize = 500,
    readonly now = new Date(),
  ) {
    super();
  }
}
