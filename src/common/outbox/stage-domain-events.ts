import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AggregateRoot } from '@nestjs/cqrs';
import { AuditEntry } from '../audit/audit-entry.entity';
import type { Actor } from '../cqrs/actor';
import { DomainEvent, describeEvent } from '../events/domain-event';
import { OutboxMessage } from './outbox-message.entity';

/** What the outbox and the audit trail store of an event: its wire name, its resource and its fields. */
export function outboxRecordOf(event: DomainEvent): { name: string; resource: string; payload: Record<string, unknown> } {
  const { name, resource } = describeEvent(event);
  return { name, resource, payload: { ...event } as Record<string, unknown> };
}

/**
 * Moves the events that aggregates `apply()`d in this unit of work into the outbox, and writes one audit
 * entry for each, so they commit or roll back together with the change itself.
 */
export function stageDomainEvents(em: EntityManager, actor: Actor | undefined): number {
  const uow = em.getUnitOfWork();
  const aggregates = new Set<AggregateRoot<DomainEvent>>();
  for (const entity of [...uow.getIdentityMap().values(), ...uow.getPersistStack()]) {
    if (entity instanceof AggregateRoot) aggregates.add(entity as AggregateRoot<DomainEvent>);
  }
  let staged = 0;
  const now = new Date();
  for (const aggregate of aggregates) {
    for (const event of aggregate.getUncommittedEvents()) {
      const { name, resource, payload } = outboxRecordOf(event);
      const id = randomUUID();
      em.persist(
        em.create(OutboxMessage, {
          id,
          tenantId: event.tenantId,
          eventType: name,
          aggregateId: event.aggregateId,
          payload,
          occurredAt: now,
        }),
      );
      em.persist(
        em.create(AuditEntry, {
          id: randomUUID(),
          tenantId: event.tenantId,
          actorApiKeyId: actor?.apiKeyId ?? null,
          action: name,
          resourceType: resource,
          resourceId: event.aggregateId,
          ip: actor?.ip ?? null,
          requestId: actor?.requestId ?? null,
          details: payload,
          createdAt: now,
        }),
      );
      staged++;
    }
    aggregate.uncommit();
  }
  return staged;
}
