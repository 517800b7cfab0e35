import { DomainEvent, EventType } from '../../../../common/events/domain-event';
import type { SyncDirection, SyncStatus, SyncType } from '../sync-types';

/** Spec §3.3. Plain data: never a record's content. */
@EventType('DataSyncInitiated', { resource: 'data_sync_job' })
export class DataSyncInitiatedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationId: string,
    readonly syncType: SyncType,
    readonly direction: SyncDirection,
    readonly scheduledAt: string,
    readonly recordsTotal: number,
    readonly createdBy: string | null,
  ) {}
}

/** Finished with every record processed (Completed) or some failed and logged (PartialSuccess). */
@EventType('DataSyncCompleted', { resource: 'data_sync_job' })
export class DataSyncCompletedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationId: string,
    readonly status: SyncStatus,
    readonly recordsProcessed: number,
    readonly recordsFailed: number,
    readonly durationMs: number,
  ) {}
}

@EventType('DataSyncFailed', { resource: 'data_sync_job' })
export class DataSyncFailedEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationId: string,
    readonly recordsProcessed: number,
    readonly recordsFailed: number,
    readonly errorMessage: string,
  ) {}
}

@EventType('DataSyncCancelled', { resource: 'data_sync_job' })
export class DataSyncCancelledEvent implements DomainEvent {
  constructor(
    readonly tenantId: string,
    readonly aggregateId: string,
    readonly integrationId: string,
    readonly recordsProcessed: number,
    readonly cancelledBy: string | null,
  ) {}
}
