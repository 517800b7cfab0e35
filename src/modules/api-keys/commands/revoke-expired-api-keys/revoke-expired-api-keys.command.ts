import { Command } from '@nestjs/cqrs';

/** BR-AK-04, run hourly by the worker: revokes every key whose expiry (or rotation grace period) has passed. */
export class RevokeExpiredApiKeysCommand extends Command<number> {
  constructor(readonly now: Date = new Date()) {
    super();
  }
}
