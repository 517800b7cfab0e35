import { InjectRepository } from '@mikro-orm/nestjs';
import { LockMode } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SCOPES } from '../../../../common/auth/scopes';
import { ConfigError } from '../../../../common/config/app-config';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { DEFAULT_TENANT_ID, Tenant } from '../../../tenants/domain/tenant.entity';
import { ApiKey } from '../../domain/api-key.entity';
import { hashApiKey } from '../../domain/api-key-token';
import { ApiKeyRepository } from '../../infrastructure/api-key.repository';
import { ApiKeyVerifier } from '../../infrastructure/api-key-verifier';
import { EnsureBootstrapKeyCommand } from './ensure-bootstrap-key.command';

@CommandHandler(EnsureBootstrapKeyCommand)
export class EnsureBootstrapKeyHandler implements ICommandHandler<EnsureBootstrapKeyCommand> {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: ApiKeyRepository,
    private readonly verifier: ApiKeyVerifier,
  ) {}

  async execute({ token }: EnsureBootstrapKeyCommand): Promise<void> {
    const em = this.keys.getEntityManager();
    // Replicas starting together: the first creates the tenant, the others wait on its row lock.
    await em.execute(
      `INSERT INTO tenant (id, name, created_at) VALUES (?, 'Default', now()) ON CONFLICT (id) DO NOTHING`,
      [DEFAULT_TENANT_ID],
    );
    await em.findOneOrFail(Tenant, DEFAULT_TENANT_ID, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const hash = hashApiKey(token);
    const bootstrapKeys = await this.keys.find({ tenantId: DEFAULT_TENANT_ID, isBootstrap: true, isActive: true });
    const replaced = bootstrapKeys.filter((key) => key.keyHash !== hash);
    for (const key of replaced) key.revoke(null, 'BOOTSTRAP_API_KEY changed');
    const changed = [...replaced];
    const current = bootstrapKeys.find((key) => key.keyHash === hash);
    if (current) {
      // A key made before the scope list grew would otherwise never hold the new scopes.
      if (current.grantEveryScope(SCOPES)) changed.push(current);
    } else {
      const holder = await this.keys.findOne({ keyHash: hash });
      if (holder && !holder.isBootstrap) {
        throw new ConfigError('BOOTSTRAP_API_KEY is the secret of an API key made through the API; choose a value of its own (e.g. openssl rand -base64 32)');
      }
      if (holder) {
        // The operator went back to an earlier value (e.g. a rolled-back deployment). Its key stays revoked
        // (BR-AK-07); a fresh key takes the value, as the operator, who owns it, asked. Refusing to start
        // instead would turn a rollback into an outage. The hash is freed first: the unique index is checked
        // per statement, and the unit of work would insert before it updates.
        holder.releaseBootstrapHash();
        await em.flush();
        changed.push(holder);
      }
      em.persist(
        ApiKey.fromToken(
          token,
          { tenantId: DEFAULT_TENANT_ID, keyName: 'Bootstrap key (BOOTSTRAP_API_KEY)', scopes: [...SCOPES], expiresAt: null, rateLimitPerHour: 10_000, createdBy: null },
          new Date(),
          true,
        ),
      );
    }
    await afterCommit(async () => {
      for (const key of changed) await this.verifier.invalidateEverywhere(key.id);
    });
  }
}
