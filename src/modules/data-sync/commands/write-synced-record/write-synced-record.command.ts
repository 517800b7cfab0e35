import { Command } from '@nestjs/cqrs';
import type { ActingCommand, Actor } from '../../../../common/cqrs/actor';

export interface WrittenSyncedRecord {
  entity: string;
  externalId: string;
  data: Record<string, unknown>;
  contentHash: string;
  localModifiedAt: Date;
  created: boolean;
}

/**
 * A change made on our side to a synced record (or a new one): stored now and pushed to the source by the next
 * Export or Bidirectional sync, which resolves conflicts by last-modified time (BR-DS-07).
 */
export class WriteSyncedRecordCommand extends Command<WrittenSyncedRecord> implements ActingCommand {
  constructor(
    readonly actor: Actor,
    readonly integrationId: string,
    readonly entity: string,
    readonly externalId: string,
    readonly data: Record<string, unknown>,
  ) {
    super();
  }
}
