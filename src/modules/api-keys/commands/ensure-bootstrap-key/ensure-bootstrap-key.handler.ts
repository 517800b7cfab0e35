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
    const holder = await this.keys.findOne({ keyHash: hash });
    if (holder && !holder.isBootstrap) {
      throw new ConfigError('BOOTSTRAP_API_KEY is the secret of an API key made through the API; choose a value of its own (e.g. openssl rand -base64 32)');
    }
    if (holder && !holder.isActive) {
      // Decision: a value whose key was revoked is refused, before anything changes. Rotation revokes the old
      // value because it may have leaked; were an old environment deployed again (a rollback, a forgotten
      // replica) to hand that value to a fresh key with every scope, platform:admin included, the retired secret
      // would work again, silently. BR-AK-07 (a revoked key is never reactivated) holds for the secret, not only
      // for its row. The old deployment stops at start-up, the running key keeps working, and the rollback costs
      // the operator one new secret. The message names the variable, never the value or its hash.
      const when = holder.revokedAt ? ` on ${holder.revokedAt.toISOString()}` : '';
      throw new ConfigError(
        `BOOTSTRAP_API_KEY is the secret of a bootstrap key that was revoked${when}, and a revoked key is never reactivated; choose a new secret (e.g. openssl rand -base64 32)`,
      );
    }
    const bootstrapKeys = await this.keys.find({ tenantId: DEFAULT_TENANT_ID, isBootstrap: true, isActive: true });
    const replaced = bootstrapKeys.filter((key) => key.keyHash !== hash);
    for (const key of replaced) key.revoke(null, 'BOOTSTRAP_API_KEY changed');
    const changed = [...replaced];
    if (holder) {
      // A key made before the scope list grew would otherwise never hold the new scopes.
      if (holder.grantEveryScope(SCOPES)) changed.push(holder);
    } else {
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
