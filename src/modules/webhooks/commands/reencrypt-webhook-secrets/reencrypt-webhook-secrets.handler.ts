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

  async execute({ afterId, batchSize }: ReencryptWebhookSecretsCommand): Promise<ReencryptionBatch> {
    const ids = await reencryptionRange(this.webhooks.getEntityManager(), 'webhook', afterId, batchSize);
    // Locked, so that a secret rotation committing meanwhile is not overwritten with the older secret sealed again;
    // SKIP LOCKED leaves a webhook another transaction is changing for the next pass instead of waiting on it.
    const batch = ids.length
      ? await this.webhooks.find({ id: { $in: ids } }, { orderBy: { id: 'asc' }, populate: ['secret', 'previousSecret'] as never, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE })
      : [];
    const resealed = batch.filter((webhook) => webhook.reseal(this.vault)).length;
    return reencryptionBatch(ids, batch.length, resealed, batchSize);
  }
}
