import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { LockMode } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { ReencryptionBatch, reencryptionBatch, reencryptionRange } from '../../../../common/crypto/reencryption';
import { ReencryptIntegrationSecretsCommand } from './reencrypt-integration-secrets.command';

@CommandHandler(ReencryptIntegrationSecretsCommand)
export class ReencryptIntegrationSecretsHandler implements ICommandHandler<ReencryptIntegrationSecretsCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ afterId, batchSize }: ReencryptIntegrationSecretsCommand): Promise<ReencryptionBatch> {
    const em = this.integrations.getEntityManager();
    const range = await reencryptionRange(em, this.vault, 'integration', ['configuration', 'sealed_oauth_tokens'], afterId, batchSize);
    // Locked, so that a change committing meanwhile (a credential update, an OAuth token refresh) is not
    // overwritten with the older value sealed again. SKIP LOCKED: an integration another transaction is changing
    // is left for the next pass rather than making that change wait for this batch, or deadlock with it.
    const batch = range.stale.length
      ? await this.integrations.find({ id: { $in: range.stale } }, { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE })
      : [];
    let resealed = 0;
    const unreadable: string[] = [];
    for (const integration of batch) {
      try {
        if (!integration.reseal(this.vault)) continue;
      } catch {
        // Its key has left the ring: nothing here can open it, and the rest of the rotation goes on.
        unreadable.push(integration.id);
        continue;
      }
      resealed++;
      em.persist(
        IntegrationLog.write({ tenantId: integration.tenantId, integrationId: integration.id, logLevel: 'Information', message: 'Secrets re-encrypted under the active key' }),
      );
    }
    return reencryptionBatch(range, batch.length, resealed, unreadable, batchSize);
  }
}
