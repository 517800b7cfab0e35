import { Inject } from '@nestjs/common';
import { InjectRepository } from '@mikro-orm/nestjs';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SECRET_VAULT, SecretVault } from '../../../../common/crypto/secret-vault';
import { Integration } from '../../domain/integration.entity';
import { IntegrationLog } from '../../domain/integration-log.entity';
import { IntegrationRepository } from '../../infrastructure/integration.repository';
import { ReencryptIntegrationSecretsCommand, ReencryptionBatch } from './reencrypt-integration-secrets.command';

@CommandHandler(ReencryptIntegrationSecretsCommand)
export class ReencryptIntegrationSecretsHandler implements ICommandHandler<ReencryptIntegrationSecretsCommand> {
  constructor(
    @InjectRepository(Integration) private readonly integrations: IntegrationRepository,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
  ) {}

  async execute({ afterId, batchSize }: ReencryptIntegrationSecretsCommand): Promise<ReencryptionBatch> {
    const batch = await this.integrations.find(afterId ? { id: { $gt: afterId } } : {}, { orderBy: { id: 'asc' }, limit: batchSize });
    let resealed = 0;
    for (const integration of batch) {
      if (!integration.reseal(this.vault)) continue;
      resealed++;
      this.integrations.getEntityManager().persist(
        IntegrationLog.write({ tenantId: integration.tenantId, integrationId: integration.id, logLevel: 'Information', message: 'Secrets re-encrypted under the active key' }),
      );
    }
    return { examined: batch.length, resealed, nextAfterId: batch.length === batchSize ? batch[batch.length - 1].id : null };
  }
}
