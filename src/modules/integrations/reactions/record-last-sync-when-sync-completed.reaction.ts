import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../../../common/events/domain-event';
import { DomainEventReaction, ReactTo } from '../../../common/events/react-to.decorator';
import { DataSyncCompletedEvent } from '../../data-sync/domain/events/data-sync.events';

/**
 * §2.1.1 "Last successful sync": a sync that ran to its end (Completed, or PartialSuccess with its failed records
 * logged) stamps its integration's `lastSyncTime` with the moment it finished. A failed or cancelled one does not.
 * Idempotent on redelivery (the same time again), and a late event of an older sync never moves it back.
 */
@Injectable()
@ReactTo(DataSyncCompletedEvent)
export class RecordLastSyncWhenSyncCompleted implements DomainEventReaction<DataSyncCompletedEvent> {
  constructor(private readonly em: EntityManager) {}

  async react(completed: DataSyncCompletedEvent, envelope: EventEnvelope): Promise<void> {
    await this.em
      .getConnection()
      .execute(`UPDATE integration SET last_sync_time = ? WHERE id = ? AND tenant_id = ? AND (last_sync_time IS NULL OR last_sync_time < ?)`, [
        envelope.occurredAt,
        completed.integrationId,
        completed.tenantId,
        envelope.occurredAt,
      ]);
  }
}
