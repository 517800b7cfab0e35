import { InjectRepository } from '@mikro-orm/nestjs';
import { LockMode } from '@mikro-orm/postgresql';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { afterCommit } from '../../../../common/cqrs/command-pipeline';
import { ApiKey } from '../../domain/api-key.entity';
import { ApiKeyRepository } from '../../infrastructure/api-key.repository';
import { ApiKeyVerifier } from '../../infrastructure/api-key-verifier';
import { RevokeExpiredApiKeysCommand } from './revoke-expired-api-keys.command';

/** At most this many keys per run: a backlog is worked off by the next runs rather than one huge transaction. */
const BATCH = 1000;

@CommandHandler(RevokeExpiredApiKeysCommand)
export class RevokeExpiredApiKeysHandler implements ICommandHandler<RevokeExpiredApiKeysCommand> {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: ApiKeyRepository,
    private readonly verifier: ApiKeyVerifier,
  ) {}

  async execute({ now }: RevokeExpiredApiKeysCommand): Promise<number> {
    // Locked, skipping rows another transaction holds: a revocation or rotation of the key under way commits its
    // own reason, and this run must neither overwrite it nor revoke the key a second time (BR-AK-07). A key whose
    // change rolls back is still expired at the next run.
    const expired = await this.keys.find(
      { isActive: true, expiresAt: { $lte: now } },
      { limit: BATCH, orderBy: { expiresAt: 'asc' }, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
    );
    for (const key of expired) key.revoke(null, key.rotatedToId ? 'Rotated' : 'Expired', now);
    await afterCommit(async () => {
      for (const key of expired) await this.verifier.invalidateEverywhere(key.id);
    });
    return expired.length;
  }
}
