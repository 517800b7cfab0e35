import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { LockMode } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { ReencryptionBatch, reencryptionBatch, reencryptionRange } from '../../../../common/crypto/reencryption';
import { Webhook } from '../../domain/webhook.entity';
import { WebhookRepository } from '../../infrastructure/webhook.repository';
import { ReencryptWebhookSecretsCommand } from './reencrypt-webhook-secrets.command';

@CommandHandler(ReencryptWebhookSecretsCommand)
export class ReencryptWebhookSecretsHandler implements ICommandHandler<ReencryptWebhookSecretsCommand> {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: WebhookRepository,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ afterId, batchSize, now }: ReencryptWebhookSecretsCommand): Promise<ReencryptionBatch> {
    const range = await reencryptionRange(this.webhooks.getEntityManager(), this.vault, 'webhook', ['secret', 'previous_secret'], afterId, batchSize);
    // Locked, so that a secret rotation committing meanwhile is not overwritten with the older secret sealed again;
    // SKIP LOCKED leaves a webhook another transaction is changing for the next pass instead of waiting on it.
    const batch = range.stale.length
      ? await this.webhooks.find({ id: { $in: range.stale } }, { orderBy: { id: 'asc' }, populate: ['secret', 'previousSecret'] as never, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE })
      : [];
    let resealed = 0;
    const unreadable: string[] = [];
    for (const webhook of batch) {
      try {
        if (webhook.reseal(this.vault, now)) resealed++;
      } catch {
        // Its key has left the ring: nothing here can open it, and the rest of the rotation goes on.
        unreadable.push(webhook.id);
      }
    }
    return reencryptionBatch(range, batch.length, resealed, unreadable, batchSize);
  }
}
